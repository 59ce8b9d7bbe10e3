#include "fail_stop_listener.h"

namespace orgledger::ledger {

void FailStopListener::OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) {
  *auto_recovery = false;
}

}  // namespace orgledger::ledger
