// Package cloudformation reads EKS clusters from CloudFormation templates, JSON or YAML, including AWS
// CDK synth output (cdk.out/*.template.json).
//
// Resources: AWS::EKS::Cluster, the registry type AWSQS::EKS::Cluster (same endpoint and encryption
// properties; logging as EnabledClusterLoggingTypes, a list of types; no AccessConfig) and the CDK
// custom resource Custom::AWSCDK-EKS-Cluster (Properties.Config is the EKS CreateCluster request, camelCase
// as in the API: resourcesVpcConfig, logging.clusterLogging[] {types, enabled}, accessConfig,
// encryptionConfig). A cluster is named by its logical id and located at that key's line; each setting
// at its property's line, a default at the resource (or at the property that is null or AWS::NoValue).
//
// Settings read: the endpoint (ResourcesVpcConfig), the enabled control plane log types
// (Logging.ClusterLogging.EnabledTypes[].Type), the authentication mode (AccessConfig.AuthenticationMode)
// and the KMS key of the EncryptionConfig entry whose Resources list secrets (Provider.KeyArn). A log
// type EKS does not have is unknown, since CloudFormation would reject it. A key named by an expression
// only a deployment resolves (Fn::GetAtt Key.Arn, a Ref, Fn::ImportValue, Fn::Sub) certainly names a
// key, so it is explicit, its value the expression; an entry for secrets without a key is unknown.
// docs/iac-cloudformation-eksctl.md lists every spelling and default.
//
// Beside the clusters (parts.go): an AWS::EKS::Addon joins the cluster its ClusterName names, by Ref
// to the cluster's logical ID, or by a literal or parameter equal to the cluster's Name (the same
// parameter without a value counts too), with its AddonName, AddonVersion and ConfigurationValues
// (left out: known empty, the add-on has no configuration). A cluster that gets at least one add-on
// has the add-ons part, so the checks of add-ons judge it; one that gets none is not judged by them.
// An add-on whose AddonName cannot be known is a note of its cluster. AWS::ECR::Repository and
// AWS::ECR::RegistryScanningConfiguration make the template's registry, one per template, located at
// its first repository: each repository (RepositoryName, else the logical ID) with
// ImageScanningConfiguration.ScanOnPush (default false), and the scan type and rules (without a
// scanning configuration, the registry's default: BASIC with no rules). Anything of the scanning
// configuration that cannot be known makes the scan type unknown. A resource whose Condition is false
// is left out; one whose Condition cannot be evaluated makes what it would decide unknown (an add-on's
// configuration, a repository's scan on push unless it is true, the scan type).
//
// Values: the intrinsic functions that decide the settings are evaluated against the
// template's Parameters (their Default, or the value of a --cf-params file: params.go), Conditions
// and Mappings: Ref, Fn::If, Fn::Equals/And/Or/Not,
// Condition, Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::FindInMap, Fn::Base64, Fn::Length, in long
// form and as YAML short-form tags. AWS::NoValue leaves the property out, so the AWS default applies.
// Anything that cannot be known before deploying (a parameter without a Default, an SSM parameter,
// a pseudo parameter, Fn::GetAtt, Fn::ImportValue, a condition that depends on those) makes the setting
// unknown with that reason; an undecidable Fn::If is never resolved to a guessed branch (unless both
// branches agree). "true" and "false" strings, in any case, are booleans, as CloudFormation takes them.
// Absent settings get the EKS API defaults: public on, private off, allowlist 0.0.0.0/0 (and ::/0 for
// an IPv6 cluster), no control plane logs, CONFIG_MAP, no key for secrets. A resource whose Condition is
// false is not reported.
//
// Fn::ForEach (Transform: AWS::LanguageExtensions) is expanded before anything is read (foreach.go):
// each cluster a loop declares is its own, named by its expanded logical ID and located at the
// fragment; a collection unknown before deploying expands once, with the identifier unknown. Fixes
// write into the fragment, except a setting that depends on the identifier.
//
// Limits: YAML aliases and Refs let a small file ask for gigabytes (a Fn::Join over 20,000 aliases of
// a 1 MB string), so evaluation sizes every value before building it. A value over 1 MiB (its text,
// plus 16 bytes per list item) is unknown, naming the function and the size it would have; one
// cluster's evaluation stops after 200,000 steps or 16 MiB of values built or compared, and a
// template's after ten times those steps or 32 MiB, leaving what remains unknown with that reason.
// A real template (CloudFormation accepts at most 1 MB) comes nowhere near any of them.
//
// Files: .yaml, .yml, .json and .template files are templates when they hold AWSTemplateFormatVersion
// or Resources with typed entries; a file found by walking a folder is read only when it names
// AWSTemplateFormatVersion, an EKS cluster type or an ECR repository or scanning configuration type. A file that does not parse is reported only when it was named on
// the command line or clearly is a template, so Helm charts and broken package.json files found by
// walking a folder are left alone; broken files that name eksctl's API group or look like Terraform plan
// JSON are left to those adapters. JSON is read by yamledit's own parser, which keeps every node's
// byte span: that is what a comma-correct JSON edit needs, and yaml.v3 rejects some valid JSON (the
// \/ escape).
//
// Fixes write the settings they are given (the checks decide which), each where it was read or where
// the type declares it, in the author's layout (indentation, flow or block lists, quoting, JSON commas).
// A key for secrets goes into the existing entry for secrets, or a new EncryptionConfig entry. A value
// computed by an intrinsic is replaced by a literal. A setting is left out, with why, where a mapping
// holding it is computed as a whole (ResourcesVpcConfig: !If ...), shared through YAML anchors or merge
// keys, laid out in ways a line edit cannot safely change, or has no property in the type (the
// authentication mode of AWSQS::EKS::Cluster). No patch at all is offered for CDK output (the next synth
// would undo it): the refusal names the eks.Cluster properties to set instead.
package cloudformation
