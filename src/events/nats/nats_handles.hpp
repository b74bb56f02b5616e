#pragma once
// Owning handles for the libnats objects this folder uses: each destroys its object with the
// library's own function, so no early return or exception leaks one.
#include <nats/nats.h>

#include <memory>

namespace ninja::events::nats {

template <class T, void (*Destroy)(T*)>
struct NatsDeleter {
  void operator()(T* object) const { Destroy(object); }
};

using OptionsHandle = std::unique_ptr<natsOptions, NatsDeleter<natsOptions, natsOptions_Destroy>>;
using ConnectionHandle = std::unique_ptr<natsConnection, NatsDeleter<natsConnection, natsConnection_Destroy>>;
using JetStreamHandle = std::unique_ptr<jsCtx, NatsDeleter<jsCtx, jsCtx_Destroy>>;
using SubscriptionHandle = std::unique_ptr<natsSubscription, NatsDeleter<natsSubscription, natsSubscription_Destroy>>;
using MessageHandle = std::unique_ptr<natsMsg, NatsDeleter<natsMsg, natsMsg_Destroy>>;
using StreamInfoHandle = std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using ConsumerInfoHandle = std::unique_ptr<jsConsumerInfo, NatsDeleter<jsConsumerInfo, jsConsumerInfo_Destroy>>;
using MetaDataHandle = std::unique_ptr<jsMsgMetaData, NatsDeleter<jsMsgMetaData, jsMsgMetaData_Destroy>>;

}  // namespace ninja::events::nats
