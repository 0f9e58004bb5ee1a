/** HTML that goes out: escaping, the sanitiser, templates from the Templates Folder, the voting block. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, sanitizeMailContent, textToHtml } from '../../../src/mail/compose/html.ts';
import { BUILT_IN_TEMPLATE, fillTemplate, loadTemplate, templateNames, TemplateNotFoundError } from '../../../src/mail/compose/templates.ts';
import { mailtoLink, voteBlockHtml, votingOptions, voteReplySubject } from '../../../src/mail/compose/vote.ts';
import { parseIntegrationConfig } from '../../../src/soar/config.ts';

describe('escaping and sanitising', () => {
  it('text cannot open a tag or leave an attribute', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'q'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(textToHtml('a\nb<')).toBe('a<br>\nb&lt;');
  });

  it('Mail Content keeps the HTML a SOC writes and loses script, handlers, javascript: and data: links, forms and frames', () => {
    const out = sanitizeMailContent(
      '<p style="color:red;background-image:url(javascript:x)" onclick="steal()">Hello <b>team</b></p>' +
        '<script>alert(1)</script><a href="javascript:alert(1)">bad</a><a href="https://intranet.example/case/1">case</a>' +
        '<img src="cid:logo" onerror="x()"><img src="data:image/png;base64,AAAA"><iframe src="https://evil.example"></iframe>' +
        '<form action="https://evil.example"><input name="pw"></form><table><tr><td colspan="2">cell</td></tr></table>',
    );
    expect(out).not.toMatch(/script|onclick|onerror|javascript:|data:|iframe|<form|<input/i);
    expect(out).toContain('<b>team</b>');
    expect(out).toContain('href="https://intranet.example/case/1"');
    expect(out).toContain('src="cid:logo"');
    expect(out).toContain('<td colspan="2">cell</td>');
    expect(out).toMatch(/style="color:red"/);
  });
});

describe('templates', () => {
  it('the built-in template fills subject (escaped), content and vote', async () => {
    const html = fillTemplate(await loadTemplate(BUILT_IN_TEMPLATE, undefined), { subjectHtml: escapeHtml('Purge <now>?'), contentHtml: '<p>ok</p>', voteHtml: '<tr><td>VOTE</td></tr>' });
    expect(html).toContain('<title>Purge &lt;now&gt;?</title>');
    expect(html).toContain('<p>ok</p>');
    expect(html).toContain('VOTE');
    expect(html).not.toMatch(/\{\{/);
  });

  it('user templates are NAME.html files of the Templates Folder; a name is never a path', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'templates-'));
    await writeFile(join(folder, 'Warning.html'), '<html><body><h1>{{ Subject }}</h1>{{content}}</body></html>');
    await writeFile(join(folder, 'NoPlaceholder.html'), '<html><body><p>Fixed text</p></body></html>');
    await writeFile(join(folder, 'notes.txt'), 'not a template');
    expect(await templateNames(folder)).toEqual([BUILT_IN_TEMPLATE, 'NoPlaceholder', 'Warning']);
    expect(fillTemplate(await loadTemplate('warning', folder), { subjectHtml: 'S', contentHtml: 'C' })).toBe('<html><body><h1>S</h1>C</body></html>');
    expect(fillTemplate(await loadTemplate('NoPlaceholder', folder), { subjectHtml: 'S', contentHtml: 'C' })).toBe('<html><body><p>Fixed text</p>C</body></html>');
    await expect(loadTemplate('../etc/passwd', folder)).rejects.toBeInstanceOf(TemplateNotFoundError);
    await expect(loadTemplate('Missing', folder)).rejects.toThrow(/not in the Templates Folder/);
    await expect(loadTemplate('Warning', undefined)).rejects.toThrow(/no "Templates Folder" is configured/);
  });

  it('Templates Folder is read from the integration config', () => {
    const c = parseIntegrationConfig({ 'Client ID': 'a', 'Secret ID': 's', Tenant: 't', 'Default Mailbox': 'soc@x.example', 'Templates Folder': '/srv/templates' });
    expect(c.templatesFolder).toBe('/srv/templates');
  });
});

describe('the voting block', () => {
  it('one mailto answer per option, subject "Option: subject", and the plain-reply instruction', () => {
    expect(votingOptions('approve/reject')).toEqual(['Approve', 'Reject']);
    expect(() => votingOptions('Maybe')).toThrow(/Yes\/No or Approve\/Reject/);
    expect(voteReplySubject('Approve', 'Purge?')).toBe('Approve: Purge?');
    expect(mailtoLink('soc@contoso.example', 'Approve: Purge & <ok>?', 'Approve')).toBe('mailto:soc@contoso.example?subject=Approve%3A%20Purge%20%26%20%3Cok%3E%3F&body=Approve');
    const html = voteBlockHtml(['Approve', 'Reject'], 'soc@contoso.example', 'Purge "x" <now>');
    expect(html).toContain('href="mailto:soc@contoso.example?subject=Approve%3A%20Purge%20%22x%22%20%3Cnow%3E&amp;body=Approve"');
    expect(html).toContain('>Reject</a>');
    expect(html).toContain('<b>Approve</b> or <b>Reject</b> as the first word');
    expect(html).not.toContain('<now>');
  });
});
