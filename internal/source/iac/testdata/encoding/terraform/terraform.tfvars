# Saved by Visual Studio, which writes UTF-8 with a byte order mark.
public = true
