// Package pulumi reads EKS clusters declared in Pulumi YAML programs: a Pulumi.yaml (or .yml) whose
// runtime is yaml, or the Main.yaml of such a project, with resources of type aws:eks:Cluster (the
// pulumi-aws resource, whose inputs are the Terraform aws_eks_cluster schema) or eks:Cluster (the
// pulumi-eks component, with its own flat inputs and defaults). A cluster is named by its resource's
// key, and located there.
//
// Values are evaluated as far as the program itself says them: literals, variables whose value is a
// literal, ${name} interpolation, fn::secret, fn::join and fn::select over known values, and config
// values from a default in the program or, with --pulumi-stack NAME, from the Pulumi.NAME.yaml stack
// file beside Pulumi.yaml (keys "<project>:<key>", as pulumi config set writes them, or plain). What
// only a deployment knows is unknown, naming it: another resource's outputs (${vpc.id}), fn::invoke
// and the other functions, a config value with neither default nor stack value, a secure (encrypted)
// stack value.
//
// Defaults are those the providers apply to an input left out (docs/iac-pulumi.md cites them). Fixes
// write each setting at the resource's property, replacing what is there (a literal or a ${...}
// reference), or add it under properties, through internal/source/iac/yamledit.
package pulumi
