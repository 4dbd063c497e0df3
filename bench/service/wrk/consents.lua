-- POST /api/v1/consents: give or withdraw marketing consent for random people.
local token = os.getenv("GARDIEN_TOKEN")
local people = tonumber(os.getenv("GARDIEN_PEOPLE"))
local statuses = {"given", "withdrawn"}
math.randomseed(os.time() + 7)
wrk.method = "POST"
wrk.path = "/api/v1/consents"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  local body = string.format(
    '{"subject":"email:customer%d@example.fr","purposes":["marketing"],"status":"%s","channel":"web_form"}',
    math.random(0, people - 1), statuses[math.random(2)])
  return wrk.format(nil, nil, nil, body)
end
