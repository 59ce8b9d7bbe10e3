// Standard base64 lives with the log (ledger/base64.h): the API's names for it.
#pragma once

#include "orgledger/ledger/base64.h"

namespace orgledger::api {

using ledger::base64;
using ledger::decode_base64;

}  // namespace orgledger::api
