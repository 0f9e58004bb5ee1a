export { fileDigests, parseMailFile, type ParseMailOptions } from './parse.ts';
export { detectMailFileType, claimedMailFileType } from './detect.ts';
export { MailParseError, type MailParseErrorCode } from './errors.ts';
export { DEFAULT_LIMITS, resolveLimits, type ParseLimits } from './limits.ts';
export { mailSummaries, formatAddresses, type MailSummary } from './summary.ts';
export type { MailFileType, MailAddress, MailHeader, ParsedAttachment, ParsedEvent, ParsedMail } from './types.ts';
