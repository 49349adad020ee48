// Package emulator is a local double of the AWS APIs eksguard uses: EKS
// (restJson1), STS (awsQuery), EC2 (ec2query) and Organizations
// (awsJson1_1). The real aws-sdk-go-v2 (BaseEndpoint or AWS_ENDPOINT_URL set
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
// checked. Unsigned requests are routed by shape: /clusters paths are EKS,
// an X-Amz-Target of AWSOrganizationsV20161128.* is Organizations, a form
// Action of GetCallerIdentity or AssumeRole is STS, any other Action is EC2.
// The region defaults to us-east-1. An access key issued by AssumeRole acts
// in the assumed account; any other key acts as the fleet's first account,
// whose principal is arn:aws:iam::ACCOUNT:user/eksguard-emulator.
//
// # Operations
//
//   - eks: ListClusters, DescribeCluster, UpdateClusterConfig, ListUpdates,
//     DescribeUpdate, CancelUpdate (POST .../cancel-update, as the Go SDK
//     sends it, or .../cancel). Other EKS routes answer
//     InvalidRequestException but are still counted by Calls under their real
//     name (CreateCluster, DeleteCluster, UpdateClusterVersion).
//   - sts: GetCallerIdentity, AssumeRole.
//   - ec2: DescribeRegions, DescribeVpcs, DescribeVpcAttribute,
//     DescribeSecurityGroups, DescribeDhcpOptions (no paging: one page).
//   - organizations: ListAccounts.
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
//	accounts:
//	  - id: "111111111111"           # 12 digits; the first account is the caller and the management account
//	    name: security               # ListAccounts; default account-ID
//	    email: ""                    # ListAccounts; default NAME@example.com
//	    status: ACTIVE               # ACTIVE | SUSPENDED | PENDING_CLOSURE; AssumeRole into SUSPENDED is denied
//	    roles: [Role]                # role names AssumeRole accepts; absent = any
//	    denyAssumeRole: false        # every AssumeRole into the account -> 403 AccessDenied
//	    externalId: ""               # if set, AssumeRole must pass it
//	    regions:                     # undeclared regions are enabled and empty; with none declared,
//	      - name: us-east-1          # DescribeRegions lists DefaultRegions
//	        enabled: true            # false: left out of DescribeRegions (AllRegions lists it not-opted-in),
//	                                 #   EKS -> 403 UnrecognizedClientException, EC2 -> 401 AuthFailure
//	        accessDenied: false      # every EKS call -> 403 AccessDeniedException
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
