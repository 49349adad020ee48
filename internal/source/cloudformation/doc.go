// Package cloudformation reads EKS clusters from CloudFormation templates, JSON or YAML, including AWS
// CDK synth output (cdk.out/*.template.json).
//
// Resources: AWS::EKS::Cluster, the registry type AWSQS::EKS::Cluster (same property names) and the
// CDK v1 custom resource Custom::AWSCDK-EKS-Cluster (Properties.Config.resourcesVpcConfig, camelCase as
// in the EKS API). A cluster is named by its logical id and located at that key's line; each setting
// at its property's line.
//
// Values: the intrinsic functions that decide the endpoint settings are evaluated against the
// template's Parameters (Default only), Conditions and Mappings: Ref, Fn::If, Fn::Equals/And/Or/Not,
// Condition, Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::FindInMap, Fn::Base64, Fn::Length, in long
// form and as YAML short-form tags. AWS::NoValue leaves the property out, so the AWS default applies.
// Anything that cannot be known before deploying (a parameter without a Default, an SSM parameter,
// a pseudo parameter, Fn::GetAtt, Fn::ImportValue, a condition that depends on those) makes the setting
// unknown with that reason; an undecidable Fn::If is never resolved to a guessed branch (unless both
// branches agree). "true" and "false" strings, in any case, are booleans, as CloudFormation takes them.
// Absent settings get the EKS API defaults: public on, private off, allowlist 0.0.0.0/0 (and ::/0 for
// an IPv6 cluster). A resource whose Condition is false is not reported.
//
// Limits: YAML aliases and Refs let a small file ask for gigabytes (a Fn::Join over 20,000 aliases of
// a 1 MB string), so evaluation sizes every value before building it. A value over 1 MiB (its text,
// plus 16 bytes per list item) is unknown, naming the function and the size it would have; one
// cluster's evaluation stops after 200,000 steps or 16 MiB of values built or compared, and a
// template's after ten times those steps or 32 MiB, leaving what remains unknown with that reason.
// A real template (CloudFormation accepts at most 1 MB) comes nowhere near any of them.
//
// Files: .yaml, .yml, .json and .template files are templates when they hold AWSTemplateFormatVersion
// or Resources with typed entries. A file that does not parse is reported only when it was named on
// the command line or clearly is a template, so Helm charts and broken package.json files found by
// walking a folder are left alone; broken files that name eksctl's API group or look like Terraform plan
// JSON are left to those adapters. JSON is read by yamledit's own parser, which keeps every node's
// byte span: that is what a comma-correct JSON edit needs, and yaml.v3 rejects some valid JSON (the
// \/ escape).
//
// Fixes: the smallest edit that reaches the target, in the author's layout (indentation, flow or block
// lists, JSON commas). Settings already known to have the wanted value are left alone; a value computed
// by an intrinsic is replaced by a literal. No patch is offered for CDK output (the next synth would undo
// it) or where the settings are computed as a whole (ResourcesVpcConfig: !If ...), shared through YAML
// anchors or merge keys, or laid out in ways a line edit cannot safely change.
package cloudformation
