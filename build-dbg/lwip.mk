LWIP_PREFIX := /root/.cache/hermitcore-c/lwip-2.1.3-3a89d229a5c9
