// Package kubernetes reads EKS clusters declared as Kubernetes objects for a controller that creates
// them: Cluster API Provider AWS's AWSManagedControlPlane (controlplane.cluster.x-k8s.io/v1beta1 and
// v1beta2), the AWS Controllers for Kubernetes (ACK) Cluster (eks.services.k8s.aws/v1alpha1), and
// Crossplane's Cluster of the Upbound provider (eks.aws.upbound.io, eks.aws.m.upbound.io) and of the
// classic one (eks.aws.crossplane.io), alone or as a resource of a Composition (crossplane.go,
// composition.go), and any of them as the template of a kro ResourceGraphDefinition resource
// (kro.go). Such objects sit in multi-document YAML files among many others (Deployments,
// CRDs, a clusterctl template's Cluster and MachineDeployments), so each document is split off by its
// "---" line and sniffed for its API group before anything is parsed: a document of another kind costs a byte search and is never
// parsed, and one that does not parse is ignored unless its top-level apiVersion and kind are ours,
// when it is a problem at its line. Lines are the file's own: each document is parsed alone and its
// nodes are moved to where the document starts.
//
// A cluster is named by the object's metadata.namespace and metadata.name ("team-a/prod", or "prod"
// without a namespace), as kubectl names it; its kind is the object's kind.
//
// Values follow what each controller sends to EKS's CreateCluster (docs/iac-kubernetes.md cites both
// projects): a field left out is not sent, so EKS's own default applies (public endpoint on, private
// off, 0.0.0.0/0, no logs, CONFIG_MAP, no key), except where a CRD schema default fills it (CAPA's
// spec.logging types default to false and spec.accessConfig.authenticationMode to config_map).
// Booleans are read as kubectl reads them (YAML 1.1: yes/no/on/off count; a quoted "true" is a string
// the CRD rejects, so unknown). A placeholder in a value (clusterctl's ${VAR} and ${VAR:=default},
// envsubst's $VAR, a Helm {{ ... }}) makes that setting unknown, naming it.
//
// Fixes write the settings where the CRD spells them, creating the mappings on the way, through
// internal/source/iac/yamledit; the controller then changes an existing cluster to match when the
// object is applied again.
package kubernetes
