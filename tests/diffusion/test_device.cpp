// Device choice and LibTorch thread count.
#include <dlfcn.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include "diffusion/device.hpp"

using namespace diffusion;

TEST(Device, CpuIsAlwaysAvailable) {
  EXPECT_TRUE(pick_device("cpu").is_cpu());
}

TEST(Device, AutoPicksCudaOnlyWhenAvailable) {
  EXPECT_EQ(pick_device("auto").is_cuda(), torch::cuda::is_available());
}

TEST(Device, CudaRequestWithoutCudaIsAnError) {
  if (torch::cuda::is_available()) {
    EXPECT_TRUE(pick_device("cuda").is_cuda());
  } else {
    EXPECT_THROW(pick_device("cuda"), std::runtime_error);
  }
}

TEST(Device, UnknownNameNamesTheParameter) {
  try {
    pick_device("gpu");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("device"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("gpu"), std::string::npos) << e.what();
  }
}

TEST(Device, ConfigureThreadsSetsTheCount) {
  const int before = at::get_num_threads();
  EXPECT_EQ(configure_threads(1), 1);
  EXPECT_EQ(at::get_num_threads(), 1);
  const int half_hardware = static_cast<int>(std::thread::hardware_concurrency() / 2);
  EXPECT_EQ(configure_threads(0), std::max(1, half_hardware));
  configure_threads(before);
}

TEST(Device, DescribeRuntimeMentionsVersionDeviceAndThreads) {
  const std::string line = describe_runtime(torch::Device(torch::kCPU));
  EXPECT_NE(line.find(TORCH_VERSION), std::string::npos) << line;
  EXPECT_NE(line.find("cpu"), std::string::npos) << line;
  EXPECT_NE(line.find("thread"), std::string::npos) << line;
}

// LibTorch's thread count also bounds OpenBLAS's own pool (it spins on the other core otherwise).
TEST(Device, ConfigureThreadsAlsoLimitsOpenBlasThreads) {
  using GetThreads = int (*)();
  void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  if (!symbol) GTEST_SKIP() << "this LibTorch's BLAS is not OpenBLAS";
  const int before = at::get_num_threads();
  diffusion::configure_threads(1);
  EXPECT_EQ(reinterpret_cast<GetThreads>(symbol)(), 1);
  diffusion::configure_threads(before);
}
