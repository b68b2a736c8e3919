#pragma once
// A subcommand: its CLI11 parser (flags bound to storage owned by `run`) and the action to run
// once parsing succeeded. Keeping the action out of CLI11's callbacks means a parse error never
// half-runs a command, and the dispatcher maps every error to one exit code.
#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace diffuscope::cli {

struct Command {
  CLI::App* parser = nullptr;
  std::function<int()> run;  // returns the exit code; throws for errors (mapped by cli.cpp)
};

// Each adds its subcommand to `app`.
Command add_schedule_command(CLI::App& app);
Command add_dataset_command(CLI::App& app);
Command add_forward_command(CLI::App& app);
Command add_sample_command(CLI::App& app);
Command add_evaluate_command(CLI::App& app);
// command_line: what was typed (command_line.hpp), recorded in the checkpoint.
Command add_train_command(CLI::App& app, const std::string& command_line);

}  // namespace diffuscope::cli
