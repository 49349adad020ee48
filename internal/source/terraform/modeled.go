package terraform

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/go-version"

	"github.com/eksguard/eksguard/internal/model"
)

// Registry modules eksguard models by their own code: a short Terraform text per major version that
// wires the module's variables, with their defaults, to aws_eks_cluster as the module does. It is
// evaluated like a local module called with the caller's arguments, so passed values, defaults and
// edits (which go to the call's arguments) work as for any module. docs/iac-terraform.md cites the
// releases each model was read from.

//go:embed modeled/cloudposse-eks-cluster.tf.tmpl
var cloudposseTemplate string

// From 4.0.0 the module has access_config, whose authentication_mode defaults to API.
const cloudposseAccessVariable = `
variable "access_config" {
  type = object({
    authentication_mode                         = optional(string, "API")
    bootstrap_cluster_creator_admin_permissions = optional(bool, false)
  })
  default  = {}
  nullable = false
}
`

const cloudposseAccessBlock = `
  access_config {
    authentication_mode = var.access_config.authentication_mode
  }
`

// cloudposseLastMinor is the newest minor release of each major version modelled.
var cloudposseLastMinor = map[int]int{2: 9, 3: 0, 4: 11}

var cloudposseGrid = sync.OnceValue(func() []*version.Version {
	var out []*version.Version
	for major := 4; major >= 2; major-- {
		for minor := cloudposseLastMinor[major]; minor >= 0; minor-- {
			for patch := maxPatch; patch >= 0; patch-- {
				out = append(out, version.Must(version.NewVersion(fmt.Sprintf("%d.%d.%d", major, minor, patch))))
			}
		}
	}
	return out
})

// isCloudposseEKS reports whether a module source is cloudposse/eks-cluster/aws, from the registry or
// its Git repository without a subfolder.
func isCloudposseEKS(src string) bool {
	s := strings.ToLower(strings.TrimSpace(src))
	for _, host := range []string{"registry.terraform.io/", "registry.opentofu.org/"} {
		s = strings.TrimPrefix(s, host)
	}
	if s == "cloudposse/eks-cluster/aws" {
		return true
	}
	s, _, _ = strings.Cut(s, "?")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
	return strings.HasSuffix(s, "github.com/cloudposse/terraform-aws-eks-cluster")
}

// runCloudposse evaluates a call of cloudposse/eks-cluster/aws through eksguard's model of the major
// version the call gets (as terraform init would pick it); false when the version cannot be told or
// is not modelled, and the call is then treated like any module eksguard does not read.
func (in *instance) runCloudposse(c *callDecl) bool {
	major := 0
	switch {
	case c.version != "":
		cs, err := version.NewConstraint(c.version)
		if err != nil {
			return false
		}
		for _, v := range cloudposseGrid() {
			if cs.Check(v) {
				major = v.Segments()[0]
				break
			}
		}
	default:
		if _, ref, ok := strings.Cut(c.source, "?ref="); ok {
			if v, err := version.NewVersion(strings.TrimPrefix(ref, "v")); err == nil {
				major = v.Segments()[0]
			}
		}
	}
	if cloudposseLastMinor[major] == 0 && major != 3 {
		return false
	}
	key := fmt.Sprintf("eksguard-model:cloudposse/eks-cluster/aws/v%d", major)
	name := fmt.Sprintf("%s v%d (eksguard's model)", c.source, major)
	if _, ok := in.s.mods[key]; !ok {
		text := cloudposseTemplate
		access, block := "", ""
		if major >= 4 {
			access, block = cloudposseAccessVariable, cloudposseAccessBlock
		}
		text = strings.Replace(strings.Replace(text, "%ACCESS_VARIABLE%\n", access, 1), "%ACCESS_BLOCK%\n", block, 1)
		m := in.s.parseModule(key, []*srcFile{{name: name, data: []byte(text)}})
		m.name = name
		in.s.mods[key] = m
	}
	first := len(in.s.res.Resources)
	in.runModuleDir(c, key, name)
	// The model's lines mean nothing to a reader: what it decides is located at the call.
	at := loc(c.file.name, c.block.DefRange.Start.Line)
	for _, r := range in.s.res.Resources[first:] {
		cl := r.Cluster
		for _, l := range []**model.Location{&cl.Loc, &cl.EndpointPublicAccess.Loc, &cl.EndpointPrivateAccess.Loc, &cl.PublicAccessCIDRs.Loc,
			&cl.EnabledLogTypes.Loc, &cl.AuthenticationMode.Loc, &cl.SecretsKeyARN.Loc} {
			if *l == nil || (*l).File == name {
				*l = at
			}
		}
		cl.Kind = "module " + c.source
	}
	return true
}
