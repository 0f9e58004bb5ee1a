"""Python's `email` reading of .eml files, for the corpus oracle (oracle.test.ts).

Usage: python3 oracle.py FILE... ; prints one JSON object per file, one per line.

Headers come from compat32 (the raw values, as the bytes have them): addresses from
`email.utils.getaddresses` with display names decoded by `email.header`; subject, date and
attachment names from policy.default (RFC 2047 and RFC 2231 decoded). Only the standard library.
"""
import datetime
import email
import email.header
import email.policy
import email.utils
import inspect
import json
import re
import sys
from email.parser import BytesParser

# Python 3.13 (and the security releases of older lines) made getaddresses strict by default.
# The oracle wants the lenient reading, the one that recovers addresses from malformed headers.
_GETADDRESSES_STRICT = 'strict' in inspect.signature(email.utils.getaddresses).parameters


def getaddresses(values):
    if _GETADDRESSES_STRICT:
        return email.utils.getaddresses(values, strict=False)
    return email.utils.getaddresses(values)


def text(value):
    """Undo surrogateescape: raw 8-bit header bytes read as UTF-8, as the JavaScript side does."""
    if value is None:
        return None
    return str(value).encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')


def unfold(value):
    return re.sub(r'\r?\n(?=[ \t])', '', value)


def decoded(value):
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:  # a broken encoded-word: keep the text as written
        return value


def raw_values(msg, name):
    return [unfold(v) for k, v in msg.raw_items() if k.lower() == name]


def addresses(msg, name, first_only=False):
    values = raw_values(msg, name)
    if first_only:
        values = values[:1]
    out = []
    for display, addr in getaddresses(values):
        if not display and not addr:
            continue  # what getaddresses makes of a group's empty end or a lone comma
        out.append([text(decoded(display)), text(addr)])
    return out


def attachment_names(part, out):
    """File names of the leaves, in order; an attached message is a leaf (its own parts are its own)."""
    ctype = part.get_content_type()
    if part.is_multipart() and not ctype.startswith('message/'):
        for sub in part.get_payload():
            attachment_names(sub, out)
        return
    name = part.get_filename()
    if name:
        out.append(text(name))


def attached(raw_part, modern_part, out):
    """Each attached message (message/rfc822 part), in order, read as the top message is."""
    if raw_part.get_content_type() == 'message/rfc822' and raw_part.is_multipart():
        out.append(read_message(raw_part.get_payload(0), modern_part.get_payload(0)))
        return
    if raw_part.is_multipart() and not raw_part.get_content_type().startswith('message/'):
        for raw_sub, modern_sub in zip(raw_part.get_payload(), modern_part.get_payload()):
            attached(raw_sub, modern_sub, out)


def read_message(raw, modern):
    result = {}
    try:
        subject = raw_values(raw, 'subject')
        result['subject'] = text(str(modern['subject'])) if subject else None
    except Exception as e:
        result['subject'] = None
        result['subject_error'] = repr(e)
    result['from'] = addresses(raw, 'from', first_only=True)
    result['sender'] = addresses(raw, 'sender', first_only=True)
    result['to'] = addresses(raw, 'to')
    result['cc'] = addresses(raw, 'cc')
    result['reply_to'] = addresses(raw, 'reply-to')
    dates = raw_values(raw, 'date')
    result['date'] = None
    if dates:
        try:
            when = email.utils.parsedate_to_datetime(dates[0])
            if when.tzinfo is None:  # no zone, "-0000" or an unknown name: UTC (RFC 5322 section 4.3)
                when = when.replace(tzinfo=datetime.timezone.utc)
            result['date'] = when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        except Exception:
            pass
    names = []
    try:
        attachment_names(modern, names)
    except Exception as e:
        result['attachments_error'] = repr(e)
    result['attachments'] = names
    messages = []
    attached(raw, modern, messages)
    result['attached'] = messages
    return result


def read(path):
    with open(path, 'rb') as f:
        data = f.read()
    raw = BytesParser(policy=email.policy.compat32).parsebytes(data)
    modern = BytesParser(policy=email.policy.default).parsebytes(data)
    return {'file': path, **read_message(raw, modern)}


def main():
    for path in sys.argv[1:]:
        try:
            print(json.dumps(read(path), ensure_ascii=False))
        except Exception as e:  # one unreadable file must not hide the others
            print(json.dumps({'file': path, 'error': repr(e)}))


if __name__ == '__main__':
    main()
