// Package eksctl reads EKS clusters from eksctl ClusterConfig files (apiVersion eksctl.io/v1alpha5,
// kind ClusterConfig), every document of a multi-document YAML file.
//
// Values follow eksctl: vpc.clusterEndpoints.publicAccess and privateAccess default to true and false
// field by field; an empty vpc.publicAccessCIDRs means the EKS default (0.0.0.0/0, and ::/0 for IPv6);
// booleans are YAML 1.1 as eksctl reads them (yes/no/on/off count, a quoted "true" is rejected by
// eksctl and so is unknown here); YAML merge keys are followed. An envsubst placeholder (${VAR})
// where a value decides the verdict makes it unknown, naming the placeholder. A vpc.publicAccessCIDRs
// larger than yamledit.MaxValueBytes (1 MiB of text, which YAML aliases can reach from a few lines)
// is unknown, with its size; a file of more than yamledit.MaxDocuments documents is read up to that
// many and is a problem at the first one left unread.
//
// privateCluster.enabled: true is judged by its end state, private only, with a note that eksctl
// creates the cluster with the public endpoint on and turns it off once the cluster is ready. Setting
// vpc.clusterEndpoints as well is a problem (eksctl rejects it) and leaves the settings unknown.
// Neither endpoint enabled (both false, or publicAccess false with privateAccess left to its default)
// is kept as written, so the checks report it as impossible, and is also a problem, because eksctl
// rejects the file; a local cluster on Outposts defaults to private only.
//
// Beside the endpoint it reads cloudWatch.clusterLogging.enableTypes ("*" or "all" anywhere in the
// list stand for every type, as eksctl expands them; a type eksctl does not know is a problem, since it
// rejects the file), accessConfig.authenticationMode (left out: eksctl's own default, API_AND_CONFIG_MAP,
// or CONFIG_MAP for a local cluster on Outposts without outpost.etcdInstanceType) and
// secretsEncryption.keyARN (left out: no key; present without a key or with something that is not an
// ARN: a problem, as eksctl rejects it). docs/iac-cloudformation-eksctl.md cites eksctl's source.
//
// Node groups and add-ons (parts.go): each entry of managedNodeGroups and nodeGroups is a node group
// with its privateNetworking (left out: false, public subnets; left out in a fully-private cluster,
// which eksctl rejects: unknown), its subnets (names or IDs as written; left out: unknown, eksctl
// chooses) and its SSH access (ssh.allow, or a public key without allow: false, as eksctl's
// setSSHDefaults has it, from ssh.sourceSecurityGroupIds). A document with a node group has the node
// group, instance and subnet parts, so the private nodes check judges it from privateNetworking; the
// node groups of a node-group document join the cluster it is folded into. Each entry of addons is an
// add-on with its version and configurationValues text; a document with an addons key has the
// add-ons part, and when the list has no vpc-cni eksctl creates one without configuration values,
// unless addonsConfig.disableDefaultAddons is true or Auto Mode is on (whose default add-ons leave
// it out). A document lists at most 1,000 node groups or add-ons; past that they are a problem and
// are not read.
//
// Fixes write the settings they are given, each where eksctl reads it (creating the mappings on the
// way), and say how to apply the change to an existing cluster (eksctl utils update-cluster-vpc-config,
// update-cluster-logging, update-authentication-mode, enable-secrets-encryption). A setting eksctl would
// reject is left out with why: an endpoint setting of a fully-private cluster, an authentication mode
// other than CONFIG_MAP or a key on an Outposts local cluster.
package eksctl
