#pragma once
// The project's version, one home for the CLI's --version and the checkpoints' "written by".
// Compiled into one torch-free source file, so that the LibTorch targets share a precompiled
// header (a -D that differs between targets would make GCC refuse it).
namespace diffusion {

const char* diffuscope_version();

}  // namespace diffusion
