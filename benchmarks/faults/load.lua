-- wrk script of benchmarks/faults.sh: each request from a random client of 10.0.0.0/8
-- (X-Forwarded-For; the app trusts 127.0.0.0/8 as its proxy), so load is spread over many
-- clients far below the limit; counts responses by status and prints them with the latency.

local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	table.insert(threads, thread)
end

function init(args)
	math.randomseed(os.time() * 100 + id)
	statuses = {}
end

function request()
	local client = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
	return wrk.format(nil, nil, { ["X-Forwarded-For"] = client })
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	local total = {}
	for _, thread in ipairs(threads) do
		for status, n in pairs(thread:get("statuses")) do
			total[status] = (total[status] or 0) + n
		end
	end
	local line = "statuses"
	local other5xx = 0
	for status, n in pairs(total) do
		line = line .. string.format(" %d:%d", status, n)
		if status >= 500 and status ~= 503 then
			other5xx = other5xx + n
		end
	end
	io.write(line .. "\n")
	io.write(string.format("requests %d; 5xx other than 503: %d; socket errors: connect %d read %d write %d timeout %d\n",
		summary.requests, other5xx, summary.errors.connect, summary.errors.read, summary.errors.write,
		summary.errors.timeout))
	io.write(string.format("latency ms: p50 %.1f p99 %.1f p99.9 %.1f max %.1f\n", latency:percentile(50) / 1000,
		latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
