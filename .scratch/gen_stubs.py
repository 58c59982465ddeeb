# Generates NotImplemented handler stubs for a backend service from its protos.
import re,sys,os
svc_dir, pkg, proto_base = sys.argv[1], sys.argv[2], sys.argv[3]
def snake(n): return re.sub(r'(?<!^)(?=[A-Z])','_',n).lower()
os.makedirs(f'{svc_dir}/src/grpc', exist_ok=True)
for kind, fname in [('public', f'{proto_base}.proto'), ('internal', f'{proto_base}_internal.proto')]:
    src=open(f'/work/main/proto/beian/{proto_base}/v1/{fname}').read()
    name, body = re.findall(r'service (\w+) \{(.*?)\n\}', src, re.S)[0]
    rpcs=re.findall(r'rpc (\w+)\((stream )?(\w+)\) returns \((\w+)\)', body)
    api='PublicApi' if kind=='public' else 'InternalApi'
    L=[f'//! `beian.{proto_base}.v1.{name}`' + (': suite callers only.' if kind=='internal' else '.') + '\n']
    L.append(f'use beian_proto::{proto_base}::v1::{{self as pb, {snake(name)}_server::{name}}};')
    L.append('use tonic::{Request, Response, Status, Streaming};\n')
    L.append(f'use crate::{{error::Error, service::Service}};\n')
    L.append('#[derive(Debug, Clone)]')
    L.append(f'pub struct {api} {{\n    service: Service,\n}}\n')
    L.append(f'impl {api} {{\n    pub fn new(service: Service) -> Self {{\n        Self {{ service }}\n    }}\n}}\n')
    L.append('type Reply<T> = Result<Response<T>, Status>;\n')
    L.append('#[tonic::async_trait]')
    L.append(f'impl {name} for {api} {{')
    for rpc, stream, req, resp in rpcs:
        reqt = f'Streaming<pb::{req}>' if stream else f'pb::{req}'
        L.append(f'    async fn {snake(rpc)}(&self, _request: Request<{reqt}>) -> Reply<pb::{resp}> {{')
        L.append(f'        Err(Error::NotImplemented("{rpc}").into())')
        L.append('    }\n')
    L[-1]=L[-1].rstrip('\n')
    L.append('}')
    open(f'{svc_dir}/src/grpc/{kind}.rs','w').write('\n'.join(L)+'\n')
    print(kind, name, len(rpcs))
