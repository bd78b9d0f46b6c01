// The driver both power-loss tests share: reads the operation count and the
// seed from the environment (printing how to replay), runs a scenario once
// per simulated engine (msync pages, cache-flush lines) in a fresh directory,
// and checks that no image was bad and that enough images were taken.
// `Scenario` is constructed as Scenario(engine, dir, seed) and has
// Run(ops), Report(), failures() and images().
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>

#include "sim_device.h"
#include "test_util.h"

namespace quiver::testing {

template <class Scenario>
void RunPowerLoss(const std::string& name, const char* ops_env, int default_ops,
                  uint64_t min_images_per_op) {
  const int ops = EnvInt(ops_env, default_ops);
  const uint64_t seed =
      uint64_t(EnvInt("QUIVER_POWER_LOSS_SEED", int(std::random_device{}() & 0x7fffffff)));
  std::cout << name << ": " << ops << " operations per engine, seed " << seed
            << " (replay with QUIVER_POWER_LOSS_SEED=" << seed << ")\n";
  uint64_t total = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto engine : {SimDevice::Engine::kMsync, SimDevice::Engine::kFlush}) {
    TempDir dir;
    Scenario run(engine, dir, seed);
    run.Run(ops);
    run.Report();
    for (auto& f : run.failures()) UNSCOPED_INFO(f);
    CHECK(run.failures().empty());
    total += run.images();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << name << ": " << total << " images in " << secs << " s\n";
  CHECK(total > uint64_t(ops) * min_images_per_op);
}

}  // namespace quiver::testing
