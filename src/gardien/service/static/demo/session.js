// The shop's session cookie: strictly necessary (the basket), so exempt from consent.
document.cookie = "session=demo-basket;path=/;samesite=lax";
