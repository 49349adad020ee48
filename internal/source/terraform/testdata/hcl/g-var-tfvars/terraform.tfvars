public_access = false
