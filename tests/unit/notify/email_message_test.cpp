#include "notify/email_message.hpp"

#include <gtest/gtest.h>

namespace ninja::notify {
namespace {

EmailMessage sample() {
  EmailMessage m;
  m.from = "shop@example.com";
  m.to = "ada@example.com";
  m.subject = "Your order 42 is confirmed";
  m.text = "Hello Ada,\nline two\r\nend";
  m.message_id = "evt-1@ninja-orders";
  m.date_ms = 1795570000000;  // 2026-11-25T01:26:40Z
  return m;
}

TEST(EmailMessage, HasTheRfc5322Headers) {
  const std::string text = render(sample());
  EXPECT_EQ(text.rfind("Date: Wed, 25 Nov 2026 01:26:40 +0000\r\n", 0), 0u) << text;
  EXPECT_NE(text.find("\r\nFrom: <shop@example.com>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nTo: <ada@example.com>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nMessage-ID: <evt-1@ninja-orders>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nSubject: Your order 42 is confirmed\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nContent-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
}

TEST(EmailMessage, BodyFollowsAnEmptyLineWithCrlfOnly) {
  const std::string text = render(sample());
  const auto blank = text.find("\r\n\r\n");
  ASSERT_NE(blank, std::string::npos);
  EXPECT_EQ(text.substr(blank + 4), "Hello Ada,\r\nline two\r\nend\r\n");
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      EXPECT_EQ(text[i - 1], '\r') << "bare LF at " << i;
    }
  }
}

TEST(EmailMessage, HeaderValuesCannotInjectHeaders) {
  auto m = sample();
  m.subject = "hi\r\nBcc: victim@example.com";
  m.to = "ada@example.com\nX-Evil: 1";
  const std::string text = render(m);
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(text.find("\nX-Evil"), std::string::npos);
  EXPECT_NE(text.find("Subject: hi  Bcc: victim@example.com\r\n"), std::string::npos);
}

TEST(EmailMessage, FormatsDatesInUtc) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(951782400000), "Tue, 29 Feb 2000 00:00:00 +0000");
}

}  // namespace
}  // namespace ninja::notify
