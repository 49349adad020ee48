// Command eksguard finds and safely fixes exposed Amazon EKS API server endpoints.
package main

import (
	"os"

	"github.com/eksguard/eksguard/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], cli.System())) }
