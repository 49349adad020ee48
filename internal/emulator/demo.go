package emulator

import _ "embed"

//go:embed demo.yaml
var demoYAML []byte

// DemoFleet is the small estate `eksguard demo` and the documentation use:
// three accounts with one example of each endpoint configuration.
func DemoFleet() (*Fleet, error) {
	return ParseFleet(demoYAML, "demo.yaml")
}
