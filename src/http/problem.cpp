#include "http/problem.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ninja::http {

Response problem(int status, std::string_view slug, std::string_view title, std::string_view detail,
                 const std::vector<ProblemField>& errors) {
  boost::json::object body;
  body["type"] = std::string("/problems/").append(slug);
  body["title"] = title;
  body["status"] = status;
  body["detail"] = detail;
  if (!errors.empty()) {
    boost::json::array list;
    for (const auto& e : errors) list.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
    body["errors"] = std::move(list);
  }
  return Response{status, "application/problem+json", {}, boost::json::serialize(body), {}};
}

Response payload_too_large(size_t max_body) {
  return problem(413, "payload-too-large", "Payload too large",
                 "the body exceeds " + std::to_string(max_body) + " bytes");
}

}  // namespace ninja::http
