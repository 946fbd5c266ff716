import { describe, expect, it } from "vitest";
import { auditVerdict, readAudit } from "../../../scripts/audit.ts";

/** What `npm audit --json` printed on this machine: the registry mirror refuses the advisory endpoint. */
const refused = JSON.stringify({
  message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
  method: "POST",
  statusCode: 405,
  body: "",
  error: { summary: "", detail: "" },
});

/** An npm 10 audit report (auditReportVersion 2) with the given advisories. */
function report(advisories: Record<string, "low" | "moderate" | "high" | "critical">): string {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 };
  for (const severity of Object.values(advisories)) {
    counts[severity] += 1;
    counts.total += 1;
  }
  return JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(
      Object.entries(advisories).map(([name, severity]) => [
        name,
        { name, severity, isDirect: false, via: [], effects: [], range: "*", nodes: [`node_modules/${name}`] },
      ]),
    ),
    metadata: { vulnerabilities: counts, dependencies: { prod: 10, dev: 5, total: 15 } },
  });
}

describe("npm audit in CI", () => {
  it("fails on a high or critical advisory in a production dependency, naming it", () => {
    // Act
    const verdict = auditVerdict(
      readAudit(report({ minimist: "critical" })),
      readAudit(report({ minimist: "critical" })),
    );
    // Assess
    expect(verdict.exitCode).toBe(1);
    expect(verdict.lines).toContain("npm audit: high or critical in production dependencies: minimist (critical)");
  });

  it("passes with moderate advisories in production and high ones only in dev tools, printing the counts", () => {
    // Act
    const verdict = auditVerdict(
      readAudit(report({ "fast-xml-parser": "moderate" })),
      readAudit(report({ "fast-xml-parser": "moderate", esbuild: "high" })),
    );
    // Assess
    expect(verdict).toEqual({
      exitCode: 0,
      lines: [
        "npm audit: production dependencies: 1 moderate; all dependencies (dev tools included, not gating): 1 moderate, 1 high",
      ],
    });
  });

  it("does not fail when the registry cannot answer the audit, and says it was not run", () => {
    // Act
    const verdict = auditVerdict(readAudit(refused), readAudit(refused));
    // Assess
    expect(verdict).toEqual({
      exitCode: 0,
      lines: [
        "npm audit: not run, the registry did not answer the audit request (405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk); not failing",
      ],
    });
    expect(readAudit("")).toEqual({ kind: "unavailable", reason: "npm audit printed no JSON report" });
  });
});
