//go:build !linux

package kubeapi

import "syscall"

// childAttr: only Linux can tie a child's life to its parent's; elsewhere the cleanup stops it.
func childAttr() *syscall.SysProcAttr { return nil }

// lockFile: elsewhere the build script's own lock (flock(1), where present) is all there is.
func lockFile(string) (func(), error) { return func() {}, nil }
