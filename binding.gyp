{
  "targets": [
    {
      "target_name": "syscall_lab",
      "sources": [
        "native/module.cc",
        "native/args.cc",
        "native/blocking.cc",
        "native/jslock.cc",
        "native/errno.cc",
        "native/constants.cc",
        "native/sockaddr.cc",
        "native/socket.cc",
        "native/io.cc",
        "native/file.cc",
        "native/env.cc",
        "native/fastcall.cc",
        "native/inet.cc",
        "native/netdb.cc",
        "native/tcp_info.cc",
        "native/signal.cc",
        "native/signal_gap.cc",
        "native/signal_mask.cc",
        "native/signal_interrupt.cc",
        "native/safepoint.cc",
        "native/time.cc",
        "native/select.cc",
        "native/process.cc",
        "native/prctl.cc",
        "native/exec.cc",
        "native/thread.cc",
        "native/sync.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++20", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "conditions": [
        ["OS=='linux'", {"ldflags": ["-Wl,-z,now"]}]
      ],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++20",
        "MACOSX_DEPLOYMENT_TARGET": "11.0",
        "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
      }
    }
  ]
}
