// Package emulator is a local double of the AWS APIs eksguard uses: EKS
// (restJson1), STS (awsQuery), EC2 (ec2query), Organizations (awsJson1_1),
// IAM (awsQuery), ECR (awsJson1_1) and Elastic Load Balancing (awsQuery, the
// v2 and the classic API). The real aws-sdk-go-v2 (BaseEndpoint or AWS_ENDPOINT_URL set
// to the server's URL) and the real aws CLI (--endpoint-url) talk to it
// unchanged. It exists because moto gets exactly the parts eksguard depends
// on wrong (see Part D of docs/eks-api-behaviour.md): it leaves
// endpoint booleans out, replaces instead of merging, validates nothing and
// has no update lifecycle. This double follows rules TD-1..TD-30 of Part B of
// that page.
//
// It serves the tests, `eksguard demo` and users
// (`eksguard emulator --fleet FILE`).
//
// # Routing and identity
//
// Requests are routed by the SigV4 credential scope
// (Credential=AKID/DATE/REGION/SERVICE/aws4_request); signatures are not
// checked. The v2 and the classic load balancing APIs share the signing name
// elasticloadbalancing: Version=2012-06-01 is the classic API, any other
// version the v2 API (2015-12-01). Unsigned requests are routed by shape:
// /clusters paths are EKS, an X-Amz-Target of AWSOrganizationsV20161128.* is
// Organizations and one of AmazonEC2ContainerRegistry_V20150921.* ECR, a
// form Action of GetCallerIdentity or AssumeRole is STS, a form Version of
// 2010-05-08 is IAM, of 2015-12-01 or 2012-06-01 load balancing, any other
// Action is EC2. The region defaults to us-east-1. IAM is global: it answers
// in every region, with the account's IAM. An access key issued by
// AssumeRole acts in the assumed account; any other key acts as the fleet's
// first account, whose principal is arn:aws:iam::ACCOUNT:user/eksguard-emulator.
//
// # Operations
//
// Server.Calls counts every request under "SERVICE:Operation", with SERVICE
// one of the names below; the classic load balancing API counts as elb.
//
//   - eks: ListClusters, DescribeCluster, UpdateClusterConfig, ListUpdates,
//     DescribeUpdate, CancelUpdate (POST .../cancel-update, as the Go SDK
//     sends it, or .../cancel), ListNodegroups, DescribeNodegroup,
//     ListAddons, DescribeAddon, ListAccessEntries, DescribeAccessEntry. The
//     lists take maxResults (1..100) and nextToken. A node group or add-on
//     that is not there is ResourceNotFoundException "No node group found for
//     name: NAME." or "No addon: NAME found in cluster: CLUSTER"; ListUpdates
//     and DescribeUpdate scoped to one that is there find no updates. The
//     access entry calls answer InvalidRequestException "The cluster's
//     authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to
//     perform this operation." while the cluster's mode (read at call time,
//     so after an AccessConfigUpdate) is CONFIG_MAP; an unknown principal is
//     ResourceNotFoundException; associatedPolicyArn matches nothing (the
//     emulator associates no access policies). Other EKS routes answer
//     InvalidRequestException but are still counted by Calls under their real
//     name (CreateCluster, DeleteCluster, UpdateClusterVersion,
//     CreateNodegroup, DeleteNodegroup, UpdateNodegroupConfig,
//     UpdateNodegroupVersion, CreateAddon, DeleteAddon, UpdateAddon,
//     CreateAccessEntry, DeleteAccessEntry, UpdateAccessEntry).
//   - sts: GetCallerIdentity, AssumeRole.
//   - ec2: DescribeRegions, DescribeVpcs, DescribeVpcAttribute,
//     DescribeSecurityGroups, DescribeDhcpOptions (no paging: one page);
//     DescribeSubnets (SubnetId.N; filters subnet-id, subnet-arn, vpc-id,
//     cidr-block, ipv6-cidr-block-association.ipv6-cidr-block,
//     availability-zone, map-public-ip-on-launch, default-for-az, state,
//     owner-id, tag:KEY, tag-key; MaxResults 5..1000), DescribeRouteTables
//     (RouteTableId.N; filters route-table-id, vpc-id, owner-id,
//     association.subnet-id, association.main,
//     association.route-table-association-id, association.route-table-id,
//     route.destination-cidr-block, route.destination-ipv6-cidr-block,
//     route.gateway-id, route.nat-gateway-id,
//     route.egress-only-internet-gateway-id, route.transit-gateway-id,
//     route.vpc-peering-connection-id, route.state, route.origin, tag:KEY,
//     tag-key; MaxResults 5..100), DescribeInstances (InstanceId.N, not with
//     MaxResults; filters instance-id, instance-state-name,
//     instance-state-code, instance-type, availability-zone, vpc-id,
//     subnet-id, private-ip-address, ip-address,
//     network-interface.ipv6-addresses.ipv6-address,
//     iam-instance-profile.arn, tag:KEY, tag-key; MaxResults 5..1000; one
//     reservation per instance). Filter values take * and ? wildcards; a
//     filter name not listed matches nothing. Without MaxResults these three
//     answer in one page; with it, NextToken pages on. Unknown ids are
//     InvalidSubnetID.NotFound, InvalidRouteTableID.NotFound and
//     InvalidInstanceID.NotFound.
//   - organizations: ListAccounts.
//   - iam: GetRole, GetInstanceProfile, ListAttachedRolePolicies (PathPrefix),
//     GetPolicy, GetPolicyVersion, ListRolePolicies, GetRolePolicy. Lists
//     take Marker and MaxItems (1..1000, default 100) and answer IsTruncated.
//     Policy documents are served URL-encoded (RFC 3986), as IAM serves them.
//     Missing roles, instance profiles, policies, versions and inline
//     policies are 404 NoSuchEntity ("The role with name NAME cannot be
//     found.", "Instance Profile NAME cannot be found.", "Policy ARN does not
//     exist or is not attachable.", "The role policy with name NAME cannot be
//     found."). Every policy has one version: customer policies v1, AWS
//     managed policies their current default version.
//   - ecr: DescribeRepositories (repositoryNames; maxResults 1..1000, default
//     100; nextToken; RepositoryNotFoundException for an unknown name; another
//     registryId shows no repositories), GetRegistryScanningConfiguration
//     (registryId is the account).
//   - elasticloadbalancing (v2 API): DescribeLoadBalancers (Names.member.N,
//     LoadBalancerArns.member.N, Marker, PageSize 1..400), DescribeTags
//     (ResourceArns.member.N, load balancer or listener ARNs, at most 20),
//     DescribeListeners (LoadBalancerArn or ListenerArns.member.N, Marker,
//     PageSize). Unknown ones are LoadBalancerNotFound or ListenerNotFound.
//   - elb (classic API, Calls keys elb:DescribeLoadBalancers and
//     elb:DescribeTags): DescribeLoadBalancers (LoadBalancerNames.member.N,
//     Marker, PageSize 1..400), DescribeTags (LoadBalancerNames.member.N, at
//     most 20). An unknown name is LoadBalancerNotFound "There is no ACTIVE
//     Load Balancer named 'NAME'".
//
// The AWS managed policies the emulator knows, by ARN, with their ids,
// dates and current documents (ManagedPolicyArns lists them):
// arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly,
// AmazonEC2ContainerRegistryPullOnly, AmazonEC2ContainerRegistryPowerUser,
// AmazonEC2ContainerRegistryFullAccess, AmazonEKSWorkerNodePolicy,
// AmazonEKS_CNI_Policy and AmazonSSMManagedInstanceCore.
//
// # Faults
//
// The behaviour faults (throttle, serverErrorRate, serviceUnavailableRate,
// connectionResetRate) apply to every EKS operation, the node group, add-on
// and access entry calls included, which also share the account+region
// throttle bucket; latency applies to every service. denyActions (on an
// account, for all its regions, or on a region) answer the IAM actions they
// match with 403 in the service's own shape: AccessDeniedException for EKS
// and ECR, UnauthorizedOperation for EC2, AccessDenied for IAM and load
// balancing. Entries are IAM action names, matched without regard to case,
// with * and ? as in a policy (ecr:Describe*); elasticloadbalancing:ACTION
// covers the v2 and the classic API, as in IAM. An entry must match an
// operation the emulator serves (for EKS also the named routes above); iam:
// actions belong on the account, since IAM is global. A disabled region
// answers ECR with UnrecognizedClientException and load balancing with
// InvalidClientTokenId.
//
// # Fleet file
//
// Exactly one YAML document (a second is an error); unknown keys, bad values
// and non-finite numbers (.nan, .inf) are errors reported as FILE:LINE:
// message. Every key:
//
//	organization: true               # false: ListAccounts -> AWSOrganizationsNotInUseException
//	behaviour:                       # all optional; can be changed live with Server.SetBehaviour
//	  latency: 0s                    # added to every response of every service; stops if the client gives up
//	  throttle:                      # one token bucket per account+region for all EKS calls (TD-27)
//	    rate: 0                      # refill per second on the server Clock; 0 = off
//	    burst: 1
//	    code: ThrottlingException    # or TooManyRequestsException (reads only; writes keep ThrottlingException)
//	    retryAfter: 0s               # if set, x-amz-retry-after header in ms
//	  serverErrorRate: 0             # fraction of EKS calls answered 500 ServerException (TD-28)
//	  serviceUnavailableRate: 0      # fraction answered 503 ServiceUnavailableException
//	  connectionResetRate: 0         # fraction of EKS calls reset (TCP RST, no response, not performed)
//	  seed: 1                        # fault RNG seed
//	  updateDuration: 2s             # how long updates stay InProgress (TD-23); 0 = done at the next read
//	  failUpdates: []                # cluster names whose updates end Failed, config unchanged
//	  statusLag: 1                   # DescribeCluster polls that still read ACTIVE before UPDATING (TD-21)
//	  applyImmediately: false        # show new settings at request time instead of on success (TD-22)
//	  storeCidrsWhenPrivate: false   # store publicAccessCidrs sent with public=false (TD-16)
//	  tokenMismatch: error           # reused clientRequestToken, other body: error | new (TD-19)
//	  listUpdatesOrder: newest-first # or oldest-first (TD-24)
//	  organizationEmptyPages: 0      # empty ListAccounts pages with a NextToken first (TD-30)
//	  orgPageSize: 0                 # >0 caps ListAccounts pages below MaxResults
//	  reservedCidrs: [...]           # replaces DefaultReservedCidrs (TD-15)
//	generate:                        # synthetic accounts appended to accounts
//	  accounts: 20                   # ids from 200000000000 up, skipping ids in use
//	  regions: 17                    # a count (from DefaultRegions) or a list of names
//	  clustersPerRegion: 30          # named cluster-0001...; seeded mix of endpoint settings,
//	                                 #   logging, authentication modes and secrets keys
//	  seed: 1
//	  nodegroupsPerCluster: 0        # 0..10 node groups ng-1... per cluster, 2 instances each (see below)
//	  repositoriesPerRegion: 0       # 0..1000 ECR repositories per region (see below)
//	  loadBalancersPerCluster: 0     # 0..10 load balancers k8s-CLUSTER-N per cluster (see below)
//	accounts:
//	  - id: "111111111111"           # 12 digits; the first account is the caller and the management account
//	    name: security               # ListAccounts; default account-ID
//	    email: ""                    # ListAccounts; default NAME@example.com
//	    status: ACTIVE               # ACTIVE | SUSPENDED | PENDING_CLOSURE; AssumeRole into SUSPENDED is denied
//	    roles: [Role]                # role names AssumeRole accepts; absent = any
//	    denyAssumeRole: false        # every AssumeRole into the account -> 403 AccessDenied
//	    externalId: ""               # if set, AssumeRole must pass it
//	    denyActions: []              # IAM actions answered 403 in every region (see Faults)
//	    iam:                         # global: served in every region
//	      roles:
//	        - roleName: node                   # required; arn arn:aws:iam::ACCOUNT:role/PATHnode
//	          path: /                          # default /; must start and end with /
//	          assumeRolePolicyDocument: {...}  # default: trust ec2.amazonaws.com
//	          attachedPolicies: [arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]
//	                                           #   AWS managed ARNs the emulator knows, or customer
//	                                           #   policies of this account declared under policies
//	          rolePolicies:                    # inline policies
//	            - policyName: inline-ecr       # required
//	              policyDocument: {Version: "2012-10-17", Statement: [...]}   # required
//	          tags: {k: v}
//	      policies:                            # customer managed, one version (v1)
//	        - policyName: ecr-push             # required; arn arn:aws:iam::ACCOUNT:policy/PATHecr-push
//	          path: /
//	          policyDocument: {...}            # required
//	      instanceProfiles:
//	        - instanceProfileName: node        # required; arn arn:aws:iam::ACCOUNT:instance-profile/PATHnode
//	          path: /
//	          roles: [node]                    # at most one, declared under roles
//	    regions:                     # undeclared regions are enabled and empty; with none declared,
//	      - name: us-east-1          # DescribeRegions lists DefaultRegions
//	        enabled: true            # false: left out of DescribeRegions (AllRegions lists it not-opted-in),
//	                                 #   EKS -> 403 UnrecognizedClientException, EC2 -> 401 AuthFailure
//	        accessDenied: false      # every EKS call -> 403 AccessDeniedException
//	        denyActions: []          # IAM actions answered 403 in this region (not iam:, see Faults)
//	        vpcs:
//	          - vpcId: vpc-1
//	            cidrBlock: 10.0.0.0/16         # default 192.168.0.0/16 (172.31.0.0/16 if isDefault)
//	            enableDnsSupport: true         # default true
//	            enableDnsHostnames: false      # default = isDefault (TD-29)
//	            enableNetworkAddressUsageMetrics: false
//	            isDefault: false
//	            dhcpOptionsId: dopt-1          # default: a per-region set with AmazonProvidedDNS
//	            tags: {k: v}
//	        dhcpOptions:
//	          - dhcpOptionsId: dopt-1
//	            domainName: ""                 # default ec2.internal / REGION.compute.internal
//	            domainNameServers: [AmazonProvidedDNS]
//	            tags: {k: v}
//	        securityGroups:
//	          - groupId: sg-1
//	            groupName: x                   # default = groupId
//	            description: ""
//	            vpcId: vpc-1                   # default: the region's default cluster VPC
//	            tags: {k: v}
//	            ipPermissions:                 # inbound
//	              - ipProtocol: tcp            # tcp | udp | icmp | icmpv6 | -1 | number
//	                fromPort: 443
//	                toPort: 443
//	                ipRanges: [{cidrIp: 10.0.0.0/8, description: ""}]
//	                ipv6Ranges: [{cidrIpv6: "::/0", description: ""}]
//	                userIdGroupPairs: [{groupId: sg-2, userId: "", description: ""}]
//	                prefixListIds: [{prefixListId: pl-1, description: ""}]
//	            ipPermissionsEgress: [...]     # same shape; absent = all traffic to 0.0.0.0/0
//	        subnets:
//	          - subnetId: subnet-a             # required
//	            vpcId: vpc-1                   # default: the region's default cluster VPC
//	            cidrBlock: 10.0.1.0/24         # default: the subnet's own /24 of its VPC, in order
//	            ipv6CidrBlock: ""              # served in ipv6CidrBlockAssociationSet
//	            availabilityZone: us-east-1a   # default REGIONa, REGIONb, REGIONc in turn
//	            mapPublicIpOnLaunch: false
//	            tags: {k: v}
//	        routeTables:                       # every route table also has the VPC's local route first
//	          - routeTableId: rtb-1            # required
//	            vpcId: vpc-1                   # default: the region's default cluster VPC
//	            associations: [{subnetId: subnet-a}, {main: true}]   # declared subnets of the same VPC;
//	                                           #   a subnet has one table, a VPC one main table
//	            routes:                        # one destination and one target each
//	              - {destinationCidrBlock: 0.0.0.0/0, gatewayId: igw-1}          # igw-, vgw- or local
//	              - {destinationIpv6CidrBlock: "::/0", egressOnlyInternetGatewayId: eigw-1}
//	              - {destinationCidrBlock: 0.0.0.0/0, natGatewayId: nat-1}
//	                                           #   also transitGatewayId, vpcPeeringConnectionId,
//	                                           #   networkInterfaceId
//	            tags: {k: v}
//	        instances:
//	          - instanceId: i-0abc             # required
//	            subnetId: subnet-a             # default: the region's first subnet; may be undeclared
//	            vpcId: vpc-1                   # default: the subnet's VPC
//	            privateIpAddress: 10.0.1.5     # default: one in the subnet
//	            publicIpAddress: 54.1.2.3      # optional
//	            ipv6Addresses: ["2600:1f18::1"]   # served as networkInterfaces[0].ipv6AddressesSet
//	            iamInstanceProfile: {arn: arn:aws:iam::111111111111:instance-profile/node}
//	            instanceType: m5.large         # default m5.large
//	            state: running                 # pending running stopping stopped shutting-down terminated;
//	                                           #   a terminated instance shows no addresses or interface
//	            tags: {eks:cluster-name: prod, eks:nodegroup-name: ng-1}
//	        repositories:                      # ECR
//	          - repositoryName: team/app       # required
//	            imageScanningConfiguration: {scanOnPush: false}   # default false
//	            imageTagMutability: MUTABLE    # MUTABLE (default) IMMUTABLE IMMUTABLE_WITH_EXCLUSION MUTABLE_WITH_EXCLUSION
//	            createdAt: 2025-01-15T10:00:00Z
//	            encryptionConfiguration: {encryptionType: AES256, kmsKey: ""}   # AES256 (default) KMS KMS_DSSE
//	        registryScanningConfiguration:     # default: scanType BASIC, rules []
//	          scanType: BASIC                  # BASIC | ENHANCED
//	          rules:
//	            - scanFrequency: SCAN_ON_PUSH  # BASIC: SCAN_ON_PUSH | MANUAL; ENHANCED: SCAN_ON_PUSH | CONTINUOUS_SCAN
//	              repositoryFilters: [{filter: "prod*", filterType: WILDCARD}]   # at least one
//	        loadBalancers:
//	          - loadBalancerName: k8s-web      # required, unique in the region
//	            type: application              # application (default) | network | gateway (v2 API) | classic
//	            scheme: internet-facing        # default; or internal
//	            vpcId: vpc-1                   # default: the region's default cluster VPC
//	            tags: {elbv2.k8s.aws/cluster: prod}
//	            listeners:                     # v2 types:
//	              - port: 443                  # 1..65535; a gateway's default 6081
//	                protocol: HTTPS            # application HTTP HTTPS; network TCP TLS UDP TCP_UDP QUIC
//	                                           #   TCP_QUIC; gateway GENEVE (default)
//	                certificates: [{certificateArn: "arn:aws:acm:..."}]   # HTTPS and TLS need them
//	                sslPolicy: ""              # default ELBSecurityPolicy-TLS13-1-2-2021-06 on HTTPS and TLS
//	                defaultActions:            # default: forward to a derived target group
//	                  - type: forward          # forward authenticate-oidc authenticate-cognito redirect
//	                    targetGroupArn: ""     #   fixed-response jwt-validation; default derived
//	                  - type: redirect
//	                    redirectConfig: {protocol: HTTPS, port: "443", host: "", path: "", query: "",
//	                                     statusCode: HTTP_301}   # parts left out keep the request's
//	                  - type: fixed-response
//	                    fixedResponseConfig: {statusCode: "404", contentType: text/plain, messageBody: ""}
//	                                           # classic type instead:
//	              - {protocol: HTTPS, loadBalancerPort: 443, instanceProtocol: HTTP, instancePort: 30443,
//	                 sslCertificateId: "arn:aws:acm:..."}   # HTTP HTTPS TCP SSL; HTTPS and SSL need the
//	                                           #   certificate; instanceProtocol defaults to protocol
//	        clusters:
//	          - name: prod
//	            # Any member of the DescribeCluster `cluster` object, same
//	            # spelling: arn, createdAt, version, endpoint, roleArn,
//	            # resourcesVpcConfig {subnetIds, securityGroupIds,
//	            # clusterSecurityGroupId, vpcId, endpointPublicAccess,
//	            # endpointPrivateAccess, publicAccessCidrs,
//	            # controlPlaneEgressMode}, kubernetesNetworkConfig
//	            # {serviceIpv4Cidr, serviceIpv6Cidr, ipFamily,
//	            # elasticLoadBalancing {enabled, gatewayApi}}, logging {clusterLogging [{types,
//	            # enabled}]}, identity {oidc {issuer}}, status,
//	            # certificateAuthority {data}, clientRequestToken,
//	            # platformVersion, tags, encryptionConfig [{resources,
//	            # provider {keyArn}}], connectorConfig {activationId,
//	            # activationCode, activationExpiry, provider, roleArn}, id,
//	            # health {issues [{code, message, resourceIds}]},
//	            # outpostConfig {outpostArns, controlPlaneInstanceType,
//	            # controlPlanePlacement}, accessConfig
//	            # {bootstrapClusterCreatorAdminPermissions,
//	            # authenticationMode}, upgradePolicy {supportType},
//	            # zonalShiftConfig {enabled}, remoteNetworkConfig
//	            # {remoteNodeNetworks [{cidrs}], remotePodNetworks [{cidrs}]},
//	            # computeConfig {enabled, nodePools, nodeRoleArn},
//	            # storageConfig {blockStorage {enabled}}, deletionProtection,
//	            # controlPlaneScalingConfig {tier}, kubeApiServerConfig,
//	            # kubeSchedulerConfig, kubeControllerManagerConfig (free-form).
//	            logging:                       # default: every log type disabled
//	              clusterLogging:              # served as EKS does: one enabled entry, one disabled entry
//	                - types: [api, audit]      # api audit authenticator controllerManager scheduler
//	                  enabled: true            # required; a type may not be both enabled and disabled
//	            accessConfig:
//	              authenticationMode: API      # CONFIG_MAP (default) | API_AND_CONFIG_MAP | API
//	              bootstrapClusterCreatorAdminPermissions: true   # default true
//	            encryptionConfig:              # default: none, and then absent from DescribeCluster
//	              - resources: [secrets]       # required; secrets is the only resource
//	                provider: {keyArn: "arn:aws:kms:us-east-1:111111111111:key/..."}   # required
//	            status: ACTIVE                 # CREATING ACTIVE UPDATING DELETING FAILED PENDING (TD-8)
//	            omitFields: [resourcesVpcConfig.endpointPrivateAccess]   # members left out of DescribeCluster:
//	                                           #   accessConfig, logging, encryptionConfig.provider.keyArn, ...
//	            invisibleFor: 0s               # listed but 404 elsewhere for this long (TD-26)
//	            updates:                       # pre-existing updates
//	              - id: ""                     # default: derived UUID
//	                type: VersionUpdate        # any EKS UpdateType
//	                status: InProgress         # InProgress Failed Cancelled Successful
//	                params: [{type: Version, value: "1.32"}]
//	                createdAt: 2025-01-01T00:00:00Z
//	                errors: [{errorCode: Unknown, errorMessage: "", resourceIds: []}]
//	                endsAfter: 0s              # InProgress ends Successful this long after start; 0 = never
//	            nodegroups:                    # ListNodegroups / DescribeNodegroup
//	              - nodegroupName: ng-1        # required
//	                nodeRole: arn:aws:iam::111111111111:role/node   # default arn:aws:iam::ACCOUNT:role/CLUSTER-node
//	                subnets: [subnet-a]        # default: the cluster's subnets; may be undeclared
//	                remoteAccess: {ec2SshKey: key, sourceSecurityGroups: [sg-1]}   # optional; EKS's SSH group
//	                                           #   (port 22, from anywhere without sourceSecurityGroups)
//	                                           #   appears in DescribeSecurityGroups
//	                status: ACTIVE             # CREATING ACTIVE UPDATING DELETING CREATE_FAILED DELETE_FAILED DEGRADED
//	                capacityType: ON_DEMAND    # ON_DEMAND (default) SPOT CAPACITY_BLOCK
//	                instanceTypes: [t3.medium] # default [t3.medium]
//	                amiType: AL2023_x86_64_STANDARD   # default; AL2_x86_64 before 1.30; any EKS AMI type
//	                scalingConfig: {minSize: 1, maxSize: 2, desiredSize: 2}   # the defaults
//	                labels: {k: v}
//	                tags: {k: v}
//	                version: "1.32"            # default: the cluster's version
//	                releaseVersion: ""         # default VERSION.0-20250115
//	            addons:                        # ListAddons / DescribeAddon
//	              - addonName: vpc-cni         # required
//	                addonVersion: v1.19.2-eksbuild.1   # default per add-on
//	                configurationValues: '{"enableNetworkPolicy":"true"}'   # text, as the API has it
//	                status: ACTIVE             # CREATING ACTIVE CREATE_FAILED UPDATING DELETING DELETE_FAILED
//	                                           #   DEGRADED UPDATE_FAILED
//	                serviceAccountRoleArn: ""
//	                tags: {k: v}
//	            accessEntries:                 # ListAccessEntries / DescribeAccessEntry
//	              - principalArn: arn:aws:iam::111111111111:role/node   # required: a role or user ARN
//	                type: EC2_LINUX            # STANDARD (default) EC2_LINUX EC2_WINDOWS FARGATE_LINUX HYBRID_LINUX
//	                username: ""               # STANDARD only; default the assumed-role ARN with {{SessionName}};
//	                                           #   the others get system:node:{{EC2PrivateDNSName}} or
//	                                           #   system:node:{{SessionName}}
//	                kubernetesGroups: []       # STANDARD only
//	                tags: {k: v}
//
// A node group or instance may name a subnet the region does not declare
// (DescribeSubnets then answers NotFound for it), a route table association
// may not. Policy documents are mappings (YAML or JSON syntax; a date such as
// Version: 2012-10-17 stays text) or strings holding JSON, and need a
// Statement; a role attaches AWS managed policies the emulator knows and
// customer policies its own account declares.
//
// Log types, authentication modes, resources and key ARNs must be YAML
// strings: `keyArn: 123` or `types: [true]` is a FILE:LINE problem, not the
// text "123" or "true". omitFields serves what real AWS never sends, so that
// clients can be tested against it: accessConfig (absent from moto and from
// responses older than access entries), logging, or an encryptionConfig entry
// without its keyArn.
//
// # Defaults (TD-4..TD-7)
//
// A cluster gets what AWS gives one created without those settings:
// endpointPublicAccess true, endpointPrivateAccess false, publicAccessCidrs
// ["0.0.0.0/0"] (plus "::/0" for an ipv6 cluster created on or after
// 2024-10-01, whose endpoint then ends in .api.aws), status ACTIVE, version
// 1.32, a unique endpoint https://<32 upper hex>.<2 letters+digit>.REGION.eks.amazonaws.com
// derived from account/region/name, an OIDC issuer with the same id, a real
// (shared) CA certificate, two subnets, a VPC (created in the EC2 double if
// the fleet does not declare it), a cluster security group
// eks-cluster-sg-NAME-NNNNNNNNNN (inbound all from itself, outbound all),
// accessConfig CONFIG_MAP with bootstrap admin, upgradePolicy EXTENDED,
// deletionProtection false, logging all disabled (served as one entry with
// enabled false and all five types), no encryptionConfig (the member is left
// out, as EKS does), health with no issues, createdAt 2025-01-15T10:00:00Z. Both endpoint booleans are always on the
// wire. CREATING and PENDING clusters show no endpoint and no CA. A PENDING
// cluster is a registered (EKS Connector) cluster: it gets a connectorConfig
// and ListClusters shows it only with include=all.
//
// Resources get deterministic ids and names from the account, region and
// name, as clusters do: node group, add-on and access entry ARNs with a
// derived UUID (the node group's Auto Scaling group is eks-NAME-UUID), load
// balancer ARNs with a derived id, DNS names NAME-NNNNNNNNNN.REGION.elb.amazonaws.com
// (application and classic, internal- first when internal) and
// NAME-ID.elb.REGION.amazonaws.com (network; gateway load balancers have
// none), listener ARNs under the load balancer's, repository ARNs and URIs
// ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME, role, policy and instance
// profile ids (AROA..., ANPA..., AIPA...). Node groups are created 15
// minutes, add-ons 10 minutes after their cluster; access entries with it;
// repositories default to 2025-01-15T10:00:00Z. Every VPC without a declared
// main route table gets one holding only the local route, so a subnet
// without a table of its own is private.
//
// With generate, nodegroupsPerCluster gives every account four node roles
// (eks-node-readonly with AmazonEC2ContainerRegistryReadOnly, eks-node-pullonly
// with AmazonEC2ContainerRegistryPullOnly, eks-node-push with the customer
// policy ecr-push, eks-node-inline with the same rights inline; all with
// AmazonEKSWorkerNodePolicy and AmazonEKS_CNI_Policy) and their instance
// profiles, and every cluster its two subnets (private, routed to a NAT
// gateway), for a seeded fifth of the clusters a public subnet (routed to an
// internet gateway) that its first node group uses with public IPs, node
// groups on a seeded mix of those roles (some with SSH remoteAccess), two
// running instances per node group tagged eks:cluster-name and
// eks:nodegroup-name (with IPv6 addresses in ipv6 clusters), vpc-cni (a
// seeded mix with enableNetworkPolicy true, false or unset), coredns,
// kube-proxy, and EC2_LINUX access entries for its node roles when its
// authentication mode includes API. repositoriesPerRegion adds repositories
// team-NN/service-NNNN (a seeded mix of scanOnPush, IMMUTABLE tags and KMS)
// and a seeded registry scanning configuration (default, BASIC on push, or
// ENHANCED). loadBalancersPerCluster adds load balancers tagged for the
// cluster: a seeded mix of application (HTTPS with an HTTP redirect, plain
// HTTP, internal HTTP), network (TLS, TCP) and classic (HTTPS, HTTP). Each
// key draws from a stream of its own: a seed serves without them exactly
// what it served before they existed.
//
// # Updates
//
// UpdateClusterConfig validates in this order: unknown cluster (TD-10),
// clientRequestToken replay (TD-19), one category per request (TD-11), an
// update in progress (TD-12), a non-ACTIVE cluster, then the category's own
// rules: for endpoint access the merge (TD-13), both-false (TD-14), CIDR
// checks when the result is public (TD-15, at most 40), CIDRs ignored when
// private (TD-16) and the no-op check (TD-17); forward-only
// authenticationMode (CONFIG_MAP to API_AND_CONFIG_MAP or API, then to API;
// the same mode again or a move back is InvalidParameterException) and no
// STANDARD after extended support began (TD-18). logging and accessConfig are
// categories of their own (LoggingUpdate, AccessConfigUpdate): either with any
// other member is "Only one type of update can be allowed." A logging update
// that changes nothing is "No changes needed for the logging config
// provided"; log types it does not list keep their state, and the result is
// shown in EKS's two entries.
// Update lifecycles are computed from the server Clock on every read, so a
// FakeClock drives multi-minute updates without sleeping.
package emulator
