/** Placeholder until the lead's phishing-response walkthrough lands (npm start). */
export async function runDemo(): Promise<number> {
  process.stderr.write('msgraph-mail demo: not implemented yet.\n');
  return 2;
}
