// Stand-in for github.com/pulumi/pulumi-java, which the Go module proxy does
// not serve. docker-build only puts java.PackageInfo into its schema's
// "language" section (metadata for SDK generation, unused at run time).
module github.com/pulumi/pulumi-java

go 1.24
