-- POST /api/v1/decisions for random people of the seeded ledger.
local token = os.getenv("GARDIEN_TOKEN")
local people = tonumber(os.getenv("GARDIEN_PEOPLE"))
local purposes = { {"marketing", "contact"}, {"orders", "identity"}, {"analytics", "usage"} }
math.randomseed(os.time())
wrk.method = "POST"
wrk.path = "/api/v1/decisions"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  local p = purposes[math.random(#purposes)]
  local body = string.format(
    '{"subject":"email:customer%d@example.fr","purpose":"%s","categories":["%s"]}',
    math.random(0, people - 1), p[1], p[2])
  return wrk.format(nil, nil, nil, body)
end
