package iam

import (
	"fmt"
	"time"
)

// awsManaged is one AWS managed policy as the AWS Managed Policy Reference
// (docs.aws.amazon.com/aws-managed-policy/latest/reference/) shows it, with
// the PolicyId, dates and path `aws iam get-policy` reports. Only the
// default version is kept: ListPolicyVersions on AWS also lists older
// versions, which lambdalab does not have. The documents' white space is
// the reference's; what GetPolicyVersion returns on AWS may differ in it
// (*unverified*).
type awsManaged struct {
	name, id, path, version, description string
	created, updated                     string
	document                             string
}

var awsManagedCatalogue = []awsManaged{
	{
		name: "AWSLambdaBasicExecutionRole", id: "ANPAJNCQGXC42545SKXIK", path: "/service-role/", version: "v1",
		description: "Provides write permissions to CloudWatch Logs.",
		created:     "2015-04-09T15:03:43Z", updated: "2015-04-09T15:03:43Z",
		document: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource" : "*"
    }
  ]
}`,
	},
	{
		name: "AmazonS3ReadOnlyAccess", id: "ANPAIZTJ4DXE7G6AGAE6M", path: "/", version: "v3",
		description: "Provides read only access to all buckets via the AWS Management Console.",
		created:     "2015-02-06T18:40:59Z", updated: "2023-08-10T21:31:39Z",
		document: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "s3:Get*",
        "s3:List*",
        "s3:Describe*",
        "s3-object-lambda:Get*",
        "s3-object-lambda:List*"
      ],
      "Resource" : "*"
    }
  ]
}`,
	},
	{
		name: "AmazonS3FullAccess", id: "ANPAIFIR6V6BVTRAHWINE", path: "/", version: "v2",
		description: "Provides full access to all buckets via the AWS Management Console.",
		created:     "2015-02-06T18:40:58Z", updated: "2021-09-27T20:16:37Z",
		document: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "s3:*",
        "s3-object-lambda:*"
      ],
      "Resource" : "*"
    }
  ]
}`,
	},
}

// awsManagedPolicies makes the catalogue's policies for a partition.
func awsManagedPolicies(partition string) []*managedPolicy {
	var out []*managedPolicy
	for _, m := range awsManagedCatalogue {
		doc, err := Parse([]byte(m.document))
		if err != nil {
			panic(fmt.Sprintf("iam: AWS managed policy %s: %v", m.name, err))
		}
		created, _ := time.Parse(time.RFC3339, m.created)
		updated, _ := time.Parse(time.RFC3339, m.updated)
		out = append(out, &managedPolicy{aws: true, ManagedPolicy: ManagedPolicy{
			PolicyName: m.name, PolicyId: m.id, Arn: "arn:" + partition + ":iam::aws:policy" + m.path + m.name,
			Path: m.path, DefaultVersionId: m.version, IsAttachable: true, Description: m.description,
			CreateDate: created, UpdateDate: updated,
		}, versions: []*policyVersion{{id: m.version, policy: doc, created: updated}}})
	}
	return out
}
