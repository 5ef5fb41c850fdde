-- The wrk request script of scripts/bench-wrk.sh: one request, read from the environment.
--
--   BENCH_METHOD  GET or POST
--   BENCH_PATH    the path, e.g. /protected
--   BENCH_COOKIE  the Cookie header (the four cookies of a login, as a browser sends them)
--   BENCH_CSRF    X-CSRF-TOKEN, when set and not empty
--
-- A POST carries a JSON body. The statistics are computed by the Rust reporter
-- (crates/authjwt-bench-report) from wrk's own output (run with --latency).
wrk.method = os.getenv("BENCH_METHOD")
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
if csrf ~= nil and csrf ~= "" then
  wrk.headers["X-CSRF-TOKEN"] = csrf
end
if wrk.method == "POST" then
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"title":"bench"}'
end

-- wrk prints its latency percentiles to three digits (877 µs as "0.88ms"): this line gives
-- the reporter the two it uses exactly, in µs, as wrk's histogram holds them.
done = function(summary, latency, requests)
  io.write(string.format("Latency percentiles (us): p50=%d p99=%d\n",
    latency:percentile(50), latency:percentile(99)))
end
