-- wrk script: every request asks one random path of a file (bench/wrk-paths.ts writes one).
--   wrk -t1 -c400 -d8s -s bench/wrk-random.lua http://127.0.0.1:PORT -- /tmp/paths.txt
-- done() also prints the mean and the run time, so Little's law can be checked: wrk corrects its
-- latency histogram for coordinated omission (it adds samples for the requests a slow one held
-- back), so its percentiles are not the latencies of the requests it sent.
local paths = {}

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "wrk-random: %.0f req/s p50 %.2f ms p99 %.2f ms max %.2f ms mean %.2f ms (mean x req/s = %.0f in flight) non-2xx %d timeouts %d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, latency.mean / 1e6 * summary.requests / seconds,
    summary.errors.status, summary.errors.timeout))
end
