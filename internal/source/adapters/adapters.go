// Package adapters lists the IaC formats eksguard reads, for the commands and tests that run them
// all.
package adapters

import (
	"github.com/eksguard/eksguard/internal/source/cloudformation"
	"github.com/eksguard/eksguard/internal/source/eksctl"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/kubernetes"
	"github.com/eksguard/eksguard/internal/source/pulumi"
	"github.com/eksguard/eksguard/internal/source/terraform"
)

// All returns one adapter of each format, in the order a scan runs them.
func All() []iac.Adapter {
	return []iac.Adapter{terraform.New(), cloudformation.New(), eksctl.New(), kubernetes.New(), pulumi.New()}
}
