# Build time on 2 cores: parsing LibTorch's headers costs ~20 s per translation unit, and
# instantiating their inline templates ~5-10 s more. Every target that computes with tensors
# reuses the core's one precompiled <torch/torch.h> (target `diffusion`) and compiles its sources
# in unity batches, so that a batch instantiates those templates once. Targets that reuse the
# header must not add -D definitions of their own that the header was built without (GCC would
# refuse it): the version string lives in one torch-free file, diffusion/src/version.cpp.
set(DIFFUSCOPE_TORCH_UNITY_BATCH 4 CACHE STRING "Sources per unity batch in the LibTorch targets")

function(diffuscope_torch_unit target)
  if(NOT target STREQUAL "diffusion")
    target_precompile_headers(${target} REUSE_FROM diffusion)
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${DIFFUSCOPE_TORCH_UNITY_BATCH})
endfunction()
