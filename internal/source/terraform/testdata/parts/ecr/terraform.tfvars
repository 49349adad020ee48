repositories = ["shop/api", "shop/web", "shop/worker"]
scan_on_push = true
