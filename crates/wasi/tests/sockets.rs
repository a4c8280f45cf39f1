//! `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown` and
//! `poll_oneoff` on a socket, with a listening socket the host hands in
//! (`WasiCtxBuilder::preopened_socket`) and a host thread as the peer.

mod common;
use common::{fixture, run, Run};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

#[test]
fn accept_recv_send_shutdown() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        // Give the guest time to block in poll_oneoff first.
        std::thread::sleep(std::time::Duration::from_millis(50));
        s.write_all(b"ping").unwrap();
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).unwrap();
        reply
    });
    let mut listener = Some(listener);
    let mut give = |b: &mut weft_wasi::WasiCtxBuilder| {
        b.preopened_socket(listener.take().unwrap());
    };
    let out = run(
        &fixture("sockets.wasm"),
        Run {
            configure: Some(&mut give),
            ..Run::default()
        },
    );
    assert_eq!(out.error, None, "{}", out.stderr);
    assert_eq!(out.status, Some(0));
    assert_eq!(peer.join().unwrap(), b"pong");
    let expected = "\
fdstat listener: 0
  filetype=6
sock_accept: 0
  filetype=6
sock_accept bad flags: 28
poll_oneoff socket: 0
  n=1 userdata=1 type=1 nbytes=4
sock_recv peek: 0
  n=4 data=ping
sock_recv: 0
  n=4 data=ping flags=0
sock_recv bad flags: 28
sock_send: 0
  n=4
sock_send bad flags: 28
sock_send listener: 8
sock_recv listener: 8
sock_shutdown bad how: 28
sock_shutdown listener: 76
sock_shutdown: 0
sock_send after shutdown: 64
fd_close: 0
";
    assert_eq!(out.stdout, expected);
}
