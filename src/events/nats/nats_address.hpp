#pragma once
// `--bus nats://HOST:PORT[,nats://HOST2:PORT…][?prefix=P][&replicas=N]`: the servers to connect
// to, the prefix that keeps several deployments apart on one NATS, and how many servers of a
// JetStream cluster keep the stream (1 by default). Every name on the server derives from
// the prefix: subjects `<P>.ninja.<…>`, the stream `<P>-ninja`, durable consumers `<P>-<consumer>`
// (without a prefix: `ninja.<…>`, `ninja`, `<consumer>`). A prefix is one subject token, written
// with or without its dot (`prefix=acme.` = `prefix=acme`), so two deployments' subjects never overlap.
#include <string>
#include <string_view>

namespace ninja::events::nats {

class NatsAddress {
 public:
  // Throws std::invalid_argument naming what is wrong (never a password).
  static NatsAddress parse(std::string_view url);

  // What libnats connects to: comma-separated URLs, credentials included. Never log it.
  const std::string& servers() const { return servers_; }
  // The servers with any password or token replaced by "***", for logs and errors.
  const std::string& redacted() const { return redacted_; }
  const std::string& prefix() const { return prefix_; }  // "" or e.g. "acme"
  int replicas() const { return replicas_; }

  std::string subject(std::string_view event_type) const;  // "ninja.order.created" → "acme.ninja.order.created"
  std::string all_subjects() const;                        // "acme.ninja.>"
  std::string stream_name() const;                         // "acme-ninja"
  // A durable consumer's name on the server; throws std::invalid_argument unless `consumer` is a
  // non-empty name of letters, digits, '-' and '_'.
  std::string durable_name(std::string_view consumer) const;

 private:
  std::string servers_;
  std::string redacted_;
  std::string prefix_;
  int replicas_ = 1;
};

}  // namespace ninja::events::nats
