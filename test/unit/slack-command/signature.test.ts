import { describe, expect, it } from "vitest";
import { signatureProblem, slackSignature } from "../../../functions/lib/slack-command/signature.ts";

// The worked example of Slack's "Verifying requests from Slack".
const docSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const docTimestamp = "1531420618";
const docBody =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const docSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const docNow = Number(docTimestamp) + 10;

const headers = (signature: string | undefined, timestamp: string | undefined) => ({
  ...(signature === undefined ? {} : { "x-slack-signature": signature }),
  ...(timestamp === undefined ? {} : { "x-slack-request-timestamp": timestamp }),
});

describe("Slack request signatures", () => {
  it("computes the signature of Slack's documented example", () => {
    expect(slackSignature(docSecret, docTimestamp, docBody)).toBe(docSignature);
  });

  it("accepts Slack's documented example within five minutes of its timestamp", () => {
    const problem = signatureProblem(docSecret, headers(docSignature, docTimestamp), Buffer.from(docBody), docNow);
    expect(problem).toBeUndefined();
  });

  it.each([
    [
      "a tampered body",
      docSecret,
      docSignature,
      docTimestamp,
      docBody.replace("text=", "text=drain+primary"),
      docNow,
      "bad-signature",
    ],
    ["the wrong secret", "not-the-secret", docSignature, docTimestamp, docBody, docNow, "bad-signature"],
    [
      "a timestamp more than 5 minutes old",
      docSecret,
      docSignature,
      docTimestamp,
      docBody,
      Number(docTimestamp) + 301,
      "stale-timestamp",
    ],
    [
      "a timestamp more than 5 minutes ahead",
      docSecret,
      docSignature,
      docTimestamp,
      docBody,
      Number(docTimestamp) - 301,
      "future-timestamp",
    ],
    [
      "a signature made for another timestamp",
      docSecret,
      docSignature,
      String(Number(docTimestamp) + 1),
      docBody,
      docNow,
      "bad-signature",
    ],
    ["no signature header", docSecret, undefined, docTimestamp, docBody, docNow, "missing-signature"],
    ["no timestamp header", docSecret, docSignature, undefined, docBody, docNow, "missing-timestamp"],
    ["a timestamp that is not a number", docSecret, docSignature, "yesterday", docBody, docNow, "bad-timestamp"],
    ["a truncated signature", docSecret, docSignature.slice(0, -2), docTimestamp, docBody, docNow, "bad-signature"],
    [
      "a signature of another version",
      docSecret,
      docSignature.replace("v0=", "v1="),
      docTimestamp,
      docBody,
      docNow,
      "bad-signature",
    ],
  ])("refuses %s", (_what, secret, signature, timestamp, body, now, expected) => {
    expect(signatureProblem(secret, headers(signature, timestamp), Buffer.from(body), now)).toBe(expected);
  });

  it("verifies over the raw bytes, so a body of non-ASCII text signs as sent", () => {
    const body = Buffer.from("text=drain+primary&user_name=J%C3%BCrgen&note=ü", "utf8");
    const signature = slackSignature("secret", "100", body);
    expect(signatureProblem("secret", headers(signature, "100"), body, 100)).toBeUndefined();
    expect(
      signatureProblem("secret", headers(signature, "100"), Buffer.from(body.toString("latin1"), "utf8"), 100),
    ).toBe("bad-signature");
  });
});
