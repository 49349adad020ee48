// Package version is eksguard's version, set at build time with
// -ldflags "-X github.com/eksguard/eksguard/internal/version.Version=v1.2.3".
package version

import "runtime/debug"

// Version is the release; "dev" builds fall back to the module version Go recorded, if any.
var Version = ""

// String returns the version to print and to write into reports.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "0.1.0-dev"
}
