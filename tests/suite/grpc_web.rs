//! Browsers reach the gateway with gRPC-Web over HTTP/1.1, across origins.

use beian_tests::TestSuite;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

async fn http1(address: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(request).await.expect("writes");
    let mut response = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn gateway_answers_grpc_web_with_cors() {
    let suite = TestSuite::start().await;
    let gateway = suite.addresses().gateway;

    // an empty HealthCheckRequest in one uncompressed gRPC frame
    let frame = [0u8, 0, 0, 0, 0];
    let mut request = format!(
        "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: {gateway}\r\nOrigin: https://app.example.com\r\n\
         Content-Type: application/grpc-web+proto\r\nX-Grpc-Web: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        frame.len()
    )
    .into_bytes();
    request.extend_from_slice(&frame);
    let response = http1(gateway, &request).await;
    let lower = response.to_lowercase();
    assert!(lower.starts_with("http/1.1 200"), "{response}");
    assert!(lower.contains("content-type: application/grpc-web+proto"), "{response}");
    assert!(lower.contains("access-control-allow-origin: https://app.example.com"), "{response}");
    assert!(lower.contains("grpc-status:0"), "trailers in the body: {response}");

    let preflight = format!(
        "OPTIONS /beian.gateway.v1.AccountService/Login HTTP/1.1\r\nHost: {gateway}\r\n\
         Origin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n\
         Access-Control-Request-Headers: content-type,x-grpc-web,authorization\r\nConnection: close\r\n\r\n"
    );
    let response = http1(gateway, preflight.as_bytes()).await.to_lowercase();
    assert!(response.starts_with("http/1.1 200"), "{response}");
    assert!(response.contains("access-control-allow-origin: https://app.example.com"), "{response}");
    assert!(response.contains("access-control-allow-headers"), "{response}");
    suite.stop().await;
}
