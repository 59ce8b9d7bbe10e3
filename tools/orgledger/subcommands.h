// One function per subcommand; each returns the process exit code (API.md): 0 success,
// 1 a command was rejected or a check failed, 2 usage or I/O error.
#pragma once

#include <string>
#include <vector>

namespace orgledger::tools {

using Args = std::vector<std::string>;

int events_command(const Args& args);
int verify_command(const Args& args);
int demo_command(const Args& args);
int submit_command(const Args& args);
int check_command(const Args& args);
int members_command(const Args& args);
int abuse_command(const Args& args);
int serve_command(const Args& args);
int token_command(const Args& args);
int access_history_command(const Args& args);
int who_can_command(const Args& args);
int what_can_command(const Args& args);
int export_command(const Args& args);
int replay_command(const Args& args);
int diff_command(const Args& args);
int user_command(const Args& args);
int identity_verification_command(const Args& args);
int order_command(const Args& args);
int keys_command(const Args& args);
int renewals_command(const Args& args);
int partners_command(const Args& args);
int proof_command(const Args& args);
int checkpoint_command(const Args& args);
int completion_command(const Args& args);
int cluster_command(const Args& args);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitUsageOrIo = 2;

}  // namespace orgledger::tools
