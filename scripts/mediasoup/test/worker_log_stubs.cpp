// The worker's logging, as far as libwebrtc's send history links against it: logs go nowhere
// (the default log level sends none: Settings::configuration is zero-initialised).
#include "Channel/ChannelSocket.hpp"
#include "Logger.hpp"
#include "Settings.hpp"

thread_local struct Settings::Configuration Settings::configuration;
const uint64_t Logger::pid{ 0 };
thread_local Channel::ChannelSocket* Logger::channel{ nullptr };
thread_local char Logger::buffer[Logger::bufferSize];

void Channel::ChannelSocket::SendLog(const char* /*message*/, uint32_t /*messageLen*/) {}
