// A small persistent thread pool: parallelFor hands out chunks of a range from an atomic counter, the
// caller taking chunks too, so a worker the OS has not scheduled yet never holds up the call.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tunegraph {

class ThreadPool {
 public:
  explicit ThreadPool(int threads) : size_(std::max(1, threads)) {
    for (int t = 1; t < size_; t++) workers_.emplace_back([this] { loop(); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_++;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  int size() const { return size_; }

  /**
   * Runs fn(begin, end) over [0, count) in chunks of at least `grain` items (about four per thread).
   * The caller works through chunks itself and waits only for chunks a worker has already taken;
   * on a busy machine (more runnable threads than cores) it may simply do them all.
   */
  void parallelFor(long count, long grain, const std::function<void(long, long)>& fn) {
    if (count <= 0) return;
    grain = std::max<long>(1, grain);
    if (size_ == 1 || count < 2 * grain) {
      fn(0, count);
      return;
    }
    long chunk = std::max(grain, (count + 4 * size_ - 1) / (4 * size_));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      count_ = count;
      chunk_ = chunk;
      next_.store(0);
      generation_++;
    }
    wake_.notify_all();
    work(fn, count, chunk);
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = nullptr;  // late wakers skip this job
    done_.wait(lock, [this] { return inFlight_ == 0; });
  }

 private:
  void work(const std::function<void(long, long)>& fn, long count, long chunk) {
    for (;;) {
      long begin = next_.fetch_add(chunk);
      if (begin >= count) return;
      fn(begin, std::min(count, begin + chunk));
    }
  }

  void loop() {
    long seen = 0;
    for (;;) {
      const std::function<void(long, long)>* job;
      long count, chunk;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        job = job_;
        if (job == nullptr) continue;
        count = count_;
        chunk = chunk_;
        inFlight_++;
      }
      work(*job, count, chunk);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        inFlight_--;
      }
      done_.notify_one();
    }
  }

  int size_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(long, long)>* job_ = nullptr;
  long count_ = 0, chunk_ = 0, generation_ = 0;
  int inFlight_ = 0;
  std::atomic<long> next_{0};
  bool stop_ = false;
};

}  // namespace tunegraph
