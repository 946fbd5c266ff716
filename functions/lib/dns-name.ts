/**
 * The one DNS-name normaliser: lower case, no trailing dot. Config names,
 * record names Route 53 returns (`api.example.com.`) and IAM's
 * `ChangeResourceRecordSetsNormalizedRecordNames` all compare in this form.
 */
export function normalizeDnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}
