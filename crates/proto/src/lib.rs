//! Generated code of every tinhso proto package, and the encoded descriptor set used for gRPC
//! reflection and by the gateway.

/// Encoded `FileDescriptorSet` of all tinhso protos.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/tinhso_descriptor.bin"));

pub mod common {
    pub mod v1 {
        tonic::include_proto!("tinhso.common.v1");
    }
}

pub mod identity {
    pub mod v1 {
        tonic::include_proto!("tinhso.identity.v1");
    }
}

pub mod personnel {
    pub mod v1 {
        tonic::include_proto!("tinhso.personnel.v1");
    }
}

pub mod welfare {
    pub mod v1 {
        tonic::include_proto!("tinhso.welfare.v1");
    }
}
