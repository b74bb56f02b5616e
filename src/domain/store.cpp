#include "domain/store.hpp"

#include <boost/json/serialize.hpp>

#include "domain/representation.hpp"

namespace ninja::domain {

void Store::find_order_json(std::string id, util::Completion<std::optional<std::string>> done) {
  find_order(std::move(id), [done = std::move(done)](std::optional<Order> order, std::exception_ptr error) {
    if (error || !order) return done(std::nullopt, error);
    std::optional<std::string> text;
    try {
      text = boost::json::serialize(to_json(*order));
    } catch (...) {
      return done(std::nullopt, std::current_exception());
    }
    done(std::move(text), nullptr);
  });
}

}  // namespace ninja::domain
