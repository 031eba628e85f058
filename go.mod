module github.com/statledger/statledger

go 1.26.0

require (
	github.com/google/uuid v1.6.0
	go.etcd.io/bbolt v1.5.0
	golang.org/x/mod v0.43.0
	golang.org/x/text v0.44.0
)

require golang.org/x/sys v0.50.0 // indirect
