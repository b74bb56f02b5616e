// Judges webhook deliveries captured by tests/e2e (receivers.py) with the official packages, and CloudEvents
// (webhook bodies, outbox rows) with the CloudEvents SDK.
//
// stdin: {"secret": "whsec_…", "deliveries": [{"headers": {…lower-case…}, "body_base64": "…"}],
//         "events": ["<a CloudEvent as JSON text>", …]}
// stdout: {"deliveries": [{"standardwebhooks": "ok" | error, "svix": …, "tampered": …,
//                          "cloudevent": {attributes} | error, "binary_mode_event": bool}],
//          "events": [{attributes} | error]}
// A verdict is "ok" or the package's own error message: the caller decides what it expects.
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { CloudEvent, HTTP } from "cloudevents";

function verdict(check) {
  try {
    check();
    return "ok";
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
}

// The CloudEvents SDK's strict constructor validates the attributes (specversion, id, source, type, time…);
// a structured-mode round trip through its HTTP binding must give back the same event.
function judgeEvent(text) {
  try {
    const event = new CloudEvent(JSON.parse(text), true);
    const again = HTTP.toEvent(HTTP.structured(event));
    if (JSON.stringify(again.toJSON()) !== JSON.stringify(event.toJSON())) {
      return { error: "the structured-mode round trip changed the event" };
    }
    const { data, ...attributes } = event.toJSON();
    return { ...attributes, data_is_object: typeof data === "object" && data !== null };
  } catch (error) {
    return { error: `${error.name}: ${error.message}${error.errors ? " " + JSON.stringify(error.errors) : ""}` };
  }
}

function judgeDelivery(secret, delivery) {
  const body = Buffer.from(delivery.body_base64, "base64").toString("utf8");
  const headers = delivery.headers;
  const tampered = body.replace(/"total":(\d+)/, (_, n) => `"total":${Number(n) + 1}`);
  return {
    standardwebhooks: verdict(() => new StandardWebhook(secret).verify(body, headers)),
    svix: verdict(() => new SvixWebhook(secret).verify(body, headers)),
    tampered: tampered === body ? "not tampered" : verdict(() => new StandardWebhook(secret).verify(tampered, headers)),
    cloudevent: judgeEvent(body),
    // What a CloudEvents HTTP receiver sees in the message as sent (headers included).
    binary_mode_event: HTTP.isEvent({ headers, body }),
  };
}

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
}));
const report = {
  deliveries: (input.deliveries ?? []).map((d) => judgeDelivery(input.secret, d)),
  events: (input.events ?? []).map(judgeEvent),
};
process.stdout.write(JSON.stringify(report) + "\n");
