/** The protocol of a Service port: it picks probes, the address format and mesh routing. */
export type ServiceProtocol = 'http' | 'grpc' | 'tcp';
